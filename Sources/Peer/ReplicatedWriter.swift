import Content
import Logging
import NIOCore
import OpenSSLKit
import Transport

/// The coordinator's write path, as a `ChunkSink`: each chunk goes to its preference list
/// in parallel and the call returns once W replicas acknowledged; the other copies finish
/// in the background. A replica that is down or fails gets a stand-in: the next healthy
/// peer clockwise, which keeps the copy with a hint and hands it back later.
public struct ReplicatedWriter: ChunkSink {
    let placement: Placement
    let local: LocalChunks
    let pool: PeerPool
    let logger: Logger
    let timeout: TimeAmount

    public func store(id: ChunkID, bytes: [UInt8]) async throws {
        let snapshot = placement.snapshot
        let targets = snapshot.preferenceList(for: id.bytes)
        guard !targets.isEmpty else { throw DataPathError.noPeers }
        let required = snapshot.requiredAcks(for: id.bytes)
        // Stand-ins come from beyond the preference list, each used once.
        var standIns = snapshot.successors(for: id.bytes).dropFirst(targets.count).filter(\.isUsable)[...]
        var plan: [(target: PlacementPeer, standIns: [PlacementPeer])] = []
        for target in targets {
            var reserve: [PlacementPeer] = []
            if !target.isUsable, let standIn = standIns.popFirst() { reserve.append(standIn) }
            plan.append((target, reserve + Array(standIns.prefix(1))))
        }

        let (results, continuation) = AsyncStream.makeStream(of: Result<Void, Error>.self)
        for (target, reserve) in plan {
            Task { continuation.yield(await write(id: id, bytes: bytes, to: target, standIns: reserve)) }
        }
        var acknowledged = 0
        var failures: [String] = []
        var finished = 0
        for await result in results {
            finished += 1
            switch result {
            case .success: acknowledged += 1
            case .failure(let error): failures.append("\(error)")
            }
            if acknowledged >= required || finished == plan.count { break }
        }
        guard acknowledged >= required else {
            throw DataPathError.quorumNotMet(chunk: id, acknowledged: acknowledged, required: required, failures: failures)
        }
    }

    /// Writes one replica: to the target when it is up, else (or when that fails) to a
    /// stand-in with a hint naming the target.
    private func write(id: ChunkID, bytes: [UInt8], to target: PlacementPeer, standIns: [PlacementPeer]) async -> Result<Void, Error> {
        var lastError: Error = DataPathError.noPeers
        if target.isUsable {
            do {
                try await send(id: id, bytes: bytes, to: target, hintFor: nil)
                return .success(())
            } catch {
                lastError = error
                logger.debug("replica write failed, trying a stand-in", metadata: ["peer": "\(target.nodeID.short)", "error": "\(error)"])
            }
        }
        for standIn in standIns {
            do {
                try await send(id: id, bytes: bytes, to: standIn, hintFor: target.nodeID.bytes)
                return .success(())
            } catch {
                lastError = error
            }
        }
        return .failure(lastError)
    }

    private func send(id: ChunkID, bytes: [UInt8], to peer: PlacementPeer, hintFor intended: [UInt8]?) async throws {
        if peer.isSelf {
            try await local.put(id, bytes)
            if let intended { try await local.addHint(id, for: intended) }
            return
        }
        let connection = try await pool.connection(to: peer.address)
        _ = try await connection.call(PeerMethod.storeChunk, ChunkMessages.store(id: id, bytes: bytes, hintFor: intended), timeout: timeout)
    }
}
