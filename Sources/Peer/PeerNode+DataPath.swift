import APIModel
import ChunkStore
import Content
import Foundation
import Transport

/// The node's data path, as its callers (the API, folder sync, tests) see it.
extension PeerNode {
    /// Encodes files into this network: chunks are encrypted here and written to their
    /// replicas, each copy with `leases` (by default this owner's, from now: docs/gc.md).
    /// The file is not listed as this owner's (`storeOwnedFile` does that).
    public nonisolated func fileEncoder(leases: [ChunkLease]? = nil) -> FileEncoder {
        fileEncoder(sink: chunks.writer(leases: leases ?? [collector.lease()]))
    }

    private nonisolated func fileEncoder(sink: any ChunkSink) -> FileEncoder {
        chunks.fileEncoder(cipher: cipher, sink: sink)
    }

    /// Stores a file as this peer's own (`p2p put`): its chunks take this owner's leases,
    /// and the file is listed in the owner's ledger before the call returns, so that its
    /// leases are renewed until it is removed.
    /// `alsoAs` lists it under a second source too, in the same transaction (a tree's root).
    public nonisolated func storeOwnedFile<Bytes: AsyncSequence & Sendable>(
        _ bytes: Bytes, kind: ContentKind = .file, source: String = OwnedFile.putSource, alsoAs: String? = nil
    ) async throws -> EncodedFile where Bytes.Element == [UInt8] {
        let started = Date()
        let recorder = RecordingSink(chunks.writer(leases: [collector.lease(now: started)]), fence: collector.fence)
        do {
            let encoded = try await fileEncoder(sink: recorder).encode(bytes, kind: kind)
            let ids = recorder.ids
            try await local.recordOwnedFiles(([source] + [alsoAs].compactMap { $0 }).map { source in
                (OwnedFile(capability: encoded.capability.description, size: encoded.size, storedAt: started, source: source), ids)
            })
            await recorder.finish()
            return encoded
        } catch {
            await recorder.finish()
            throw error
        }
    }

    /// The sources of a file put alone, of a tree's directory listings and of a tree's
    /// files (`p2p put`, `p2p put -r`).
    public static let putSource = OwnedFile.putSource
    public static let treeSource = OwnedFile.treeSource
    public static let treeFileSource = OwnedFile.treeFileSource
    public static let treeRootSource = OwnedFile.treeRootSource

    /// The files this peer stored as their owner, oldest first: through the API, and the
    /// versions of the folders it syncs (not their index pages, the sync's bookkeeping).
    public nonisolated func ownedFiles() async throws -> [OwnedFile] {
        try await local.ownedFiles().filter { !$0.source.hasPrefix(OwnedFile.folderIndexSourcePrefix) && $0.source != OwnedFile.s3IndexSource }
    }

    /// Removes a file this peer owns through `source` (the S3 gateway's objects and index
    /// pages); nil when it does not own it so.
    public nonisolated func removeOwnedFile(_ capability: Capability, source: String) async throws -> (released: Int, unreachable: Int)? {
        let removal = try await collector.remove(capabilities: [capability.description], sources: [source])
        return removal.removed == 0 ? nil : (removal.released.count, removal.unreachable)
    }

    /// Garbage collection on this peer: settings, bytes by lease state, sweeps, renewals.
    public nonisolated var collectionReport: NodeStatus.Collection { collector.ledger.current }

    /// Runs one sweep now (tests and `tools/bench gc`); the worker runs them on its own.
    public nonisolated func sweepNow() async throws -> CollectionReport {
        try await collector.sweep()
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
        (try? await local.holdings(ids).map(\.isHeld)) ?? Array(repeating: false, count: ids.count)
    }

    /// The durability figures of the last repair pass and of scrub so far.
    public func durabilityReport() -> NodeStatus.Durability {
        durability.current
    }
}
