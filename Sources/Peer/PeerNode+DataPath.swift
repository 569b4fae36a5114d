import Content
import Foundation
import Transport

/// The node's data path, as its callers (the API, folder sync, tests) see it.
extension PeerNode {
    /// Encodes files into this network: chunks are encrypted here and written to their replicas.
    public nonisolated func fileEncoder() throws -> FileEncoder {
        chunks.fileEncoder(cipher: try ConvergentCipher(convergenceSecret: home.convergenceSecret()))
    }

    /// Decodes files from this network, whichever peers hold their chunks.
    public nonisolated func fileDecoder() -> FileDecoder {
        chunks.fileDecoder()
    }

    /// Which peers hold each of `ids`, asked of every usable peer (diagnostic, `p2p locate`).
    public nonisolated func locate(_ ids: [ChunkID]) async -> [ChunkID: [NodeID]] {
        await chunks.locate(ids)
    }

    /// Every chunk of a file, manifest nodes included.
    public nonisolated func chunkIDs(of capability: Capability) async throws -> [ChunkID] {
        try await fileDecoder().chunkIDs(of: capability)
    }

    /// Hints this peer keeps for peers that were down.
    public nonisolated func pendingHints() async -> Int {
        (try? await local.hintCount()) ?? 0
    }

    /// Whether this peer's own store holds each of `ids` (tests and diagnostics; no RPC).
    public nonisolated func holdsLocally(_ ids: [ChunkID]) async -> [Bool] {
        (try? await local.has(ids)) ?? Array(repeating: false, count: ids.count)
    }

    /// The durability figures of the last repair pass and of scrub so far.
    public func durabilityReport() -> NodeStatus.Durability {
        durability.current
    }
}
