import Content
import Logging
import NIOCore
import OpenSSLKit
import Transport

/// The coordinator's read path, as a `ChunkSource`: the local copy if this peer is a
/// replica, else the replicas in ring order with a hedged second request when the first
/// is slow, then every other peer. Bytes that do not hash to the id are rejected and the
/// next peer is asked. Replicas found without the chunk get it back (read repair).
public struct ReplicatedReader: ChunkSource {
    let placement: Placement
    let local: LocalChunks
    let pool: PeerPool
    let logger: Logger
    let timeout: TimeAmount
    /// How long to wait for a replica before asking the next one as well.
    let hedgeDelay: Duration

    public func fetch(id: ChunkID) async throws -> [UInt8] {
        let snapshot = placement.snapshot
        let candidates = snapshot.successors(for: id.bytes)
        let replicaCount = snapshot.preferenceList(for: id.bytes).count
        if candidates.prefix(replicaCount).contains(where: \.isSelf) || candidates.isEmpty,
           let bytes = try await local.get(id) {
            return bytes
        }
        var failures: [String] = []
        var missingAt: [PlacementPeer] = []
        let ordered = candidates.filter { !$0.isSelf && $0.isUsable } + candidates.filter { !$0.isSelf && !$0.isUsable }
        var index = 0
        while index < ordered.count {
            // Ask two at a time: the second only after the hedge delay.
            let batch = Array(ordered[index..<min(index + 2, ordered.count)])
            index += batch.count
            let outcome = await hedged(id: id, peers: batch)
            failures += outcome.failures
            missingAt += outcome.missing
            if let bytes = outcome.bytes {
                repair(id: id, bytes: bytes, peers: missingAt.filter { peer in candidates.prefix(replicaCount).contains(peer) })
                return bytes
            }
        }
        if !candidates.prefix(replicaCount).contains(where: \.isSelf), let bytes = try await local.get(id) { return bytes }
        throw DataPathError.chunkUnavailable(chunk: id, failures: failures)
    }

    private struct Outcome {
        var bytes: [UInt8]?
        var failures: [String] = []
        var missing: [PlacementPeer] = []
    }

    private func hedged(id: ChunkID, peers: [PlacementPeer]) async -> Outcome {
        await withTaskGroup(of: (PlacementPeer, Result<[UInt8], Error>).self) { group in
            for (position, peer) in peers.enumerated() {
                group.addTask {
                    if position > 0 { try? await Task.sleep(for: hedgeDelay) }  // the hedge: ask the next one only if the first is slow
                    if Task.isCancelled { return (peer, .failure(CancellationError())) }
                    return (peer, await fetchVerified(id: id, from: peer))
                }
            }
            var outcome = Outcome()
            for await (peer, result) in group {
                switch result {
                case .success(let bytes):
                    group.cancelAll()
                    outcome.bytes = bytes
                    return outcome
                case .failure(TransportError.remote(404, _)):
                    outcome.missing.append(peer)
                    outcome.failures.append("\(peer.nodeID.short): not found")
                case .failure(let error):
                    if !(error is CancellationError) { outcome.failures.append("\(peer.nodeID.short): \(error)") }
                }
            }
            return outcome
        }
    }

    private func fetchVerified(id: ChunkID, from peer: PlacementPeer) async -> Result<[UInt8], Error> {
        do {
            let connection = try await pool.connection(to: peer.address)
            let answer = try await connection.call(PeerMethod.fetchChunk, ChunkMessages.fetch(id: id), timeout: timeout)
            let bytes = answer.getBytes(at: answer.readerIndex, length: answer.readableBytes) ?? []
            let actual = ChunkID(hashing: bytes)
            guard actual == id else {
                logger.warning("peer returned wrong bytes for a chunk", metadata: ["peer": "\(peer.nodeID.short)", "chunk": "\(id)"])
                return .failure(ContentError.chunkHashMismatch(expected: id, actual: actual))
            }
            return .success(bytes)
        } catch {
            return .failure(error)
        }
    }

    /// Gives the chunk back to replicas that should have had it, in the background.
    private func repair(id: ChunkID, bytes: [UInt8], peers: [PlacementPeer]) {
        for peer in peers where peer.isUsable {
            let pool = pool, logger = logger, timeout = timeout
            Task {
                do {
                    let connection = try await pool.connection(to: peer.address)
                    _ = try await connection.call(PeerMethod.storeChunk, ChunkMessages.store(id: id, bytes: bytes), timeout: timeout)
                    logger.info("read repair", metadata: ["peer": "\(peer.nodeID.short)", "chunk": "\(id.description.prefix(16))"])
                } catch {
                    logger.debug("read repair failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }
}
