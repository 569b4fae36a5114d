import ChunkStore
import Content
import Foundation
import Logging
import Ring
import Synchronization
import Transport

/// Hinted handoff: chunks kept here as a stand-in for a peer that was down go back to it
/// once it is alive again; the stand-in copy is dropped unless this peer is itself a
/// replica of the chunk or keeps it for another peer too.
struct HintService: Sendable {
    let placement: Placement
    let local: any ChunkHolder
    let calls: any PeerCalls
    let logger: Logger
    /// Peers that answered "full" (507), and until when they are left alone: a full peer is
    /// alive, and without this would be sent the same chunk every round.
    private let full = FullPeers()

    private final class FullPeers: Sendable {
        let until = Mutex<[NodeID: ContinuousClock.Instant]>([:])
    }

    init(placement: Placement, local: any ChunkHolder, calls: any PeerCalls, logger: Logger) {
        self.placement = placement
        self.local = local
        self.calls = calls
        self.logger = logger
    }

    /// Hints handed back per peer and round.
    static let pageSize = 256
    /// How long a full peer is left alone.
    static let fullBackoff = Duration.seconds(60)

    /// One round: peer by peer, a page at a time, so hints for a peer that is down, gone or
    /// slow never hold up those of the others.
    func handOff() async throws {
        let snapshot = placement.snapshot
        for peer in try await local.hintedPeers() {
            guard let nodeID = NodeID(bytes: [UInt8](peer)), let target = snapshot.peers[nodeID.identifier], target.state == .alive, !target.isSelf,
                  full.until.withLock({ $0[nodeID].map { $0 <= .now } ?? true }) else { continue }
            let hints = try await local.hints(for: peer, limit: Self.pageSize)
            await handOff(hints, to: target, snapshot: snapshot)
        }
    }

    /// Hands one alive peer's hinted chunks back; stops at its first failure (retried at
    /// the next round), so a peer that does not answer costs one timeout per round.
    private func handOff(_ hints: [HintRecord], to target: PlacementPeer, snapshot: PlacementSnapshot) async {
        for hint in hints {
            let id = ChunkID(hint.chunkID)
            do {
                guard let bytes = try await local.get(id) else {
                    _ = try? await local.removeHint(hint)
                    continue
                }
                // A chunk whose leases all ended is garbage waiting for the sweep: handing it
                // over without leases would keep it provisionally there.
                let now = Date()
                let leases = try await local.leases(of: id).filter { $0.expiry > now }
                guard !leases.isEmpty else {
                    _ = try? await local.removeHint(hint)
                    continue
                }
                try await calls.call(ChunkMessages.Store(id: id, bytes: bytes, leases: leases), on: target, timeout: .seconds(30))
                let (_, hintedForOthers) = try await local.removeHint(hint)
                let stillReplica = snapshot.preferenceList(for: id.bytes).contains(where: \.isSelf)
                if !stillReplica && !hintedForOthers { try await local.delete(id) }
                logger.info("handed a hinted chunk back", metadata: ["peer": "\(target.nodeID.short)", "chunk": "\(id.description.prefix(16))"])
            } catch {
                if PeerFailure(peer: target.nodeID, error: error).isFull {
                    full.until.withLock { $0[target.nodeID] = .now + Self.fullBackoff }
                }
                logger.debug("hint handoff failed", metadata: ["peer": "\(target.nodeID.short)", "error": "\(error)"])
                return
            }
        }
    }
}
