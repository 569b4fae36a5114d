import ChunkStore
import Content
import Logging
import NIOCore
import OpenSSLKit
import Transport
import Workers

/// The coordinator's write path, as a `ChunkSink`: each chunk goes to its preference list
/// in parallel and the call returns once W replicas acknowledged; the other copies finish
/// in the background. A replica that is down or fails gets a stand-in: the next healthy
/// peer clockwise, which keeps the copy with a hint and hands it back later. Every copy
/// carries the writer's `leases` (docs/gc.md): the owner's claim is in place on each
/// replica by the time the write is acknowledged.
public struct ReplicatedWriter: ChunkSink {
    let placement: Placement
    let local: any ChunkHolder
    let calls: any PeerCalls
    let background: BackgroundTasks
    let logger: Logger
    let timeout: TimeAmount
    var leases: [ChunkLease] = []

    public func store(id: ChunkID, bytes: [UInt8]) async throws {
        let write = QuorumWrite(key: id.bytes, snapshot: placement.snapshot)
        guard !write.replicas.isEmpty else { throw DataPathError.noPeers }
        // One payload for every replica: the frames of all remote copies share its storage.
        let request = ChunkMessages.Store(id: id, bytes: bytes, leases: leases)
        let outcome = await write.run(in: background, logger: logger) { peer, intended in
            try await send(id: id, bytes: bytes, request: request, to: peer, hintFor: intended)
        }
        guard outcome.acknowledged >= write.required else {
            throw DataPathError.quorumNotMet(
                chunk: id, acknowledged: outcome.acknowledged, required: write.required, failures: outcome.failures)
        }
    }

    private func send(id: ChunkID, bytes: [UInt8], request: ChunkMessages.Store, to peer: PlacementPeer, hintFor intended: [UInt8]?) async throws {
        if peer.isSelf {
            // The encoder sealed these bytes here: the local copy is not hashed again.
            try await local.putSealed(id, bytes, leases: leases)
            if let intended { try await local.addHint(id, for: intended) }
            return
        }
        try await calls.call(
            intended.map { ChunkMessages.Store(id: id, bytes: bytes, hintFor: $0, leases: leases) } ?? request, on: peer, timeout: timeout)
    }
}
