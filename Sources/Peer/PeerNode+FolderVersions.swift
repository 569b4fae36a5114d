import ChunkStore
import Content
import Foundation

/// A synced folder's references (docs/gc.md, "Folder versions"): this peer, as a device of
/// the folder, owns the chunks of every version the folder keeps here — current ones and
/// those within the retention — as ledger rows of source `folder:<id>`, renewed with the
/// rest of its leases and released when a version passes the retention.
extension PeerNode {
    /// The capabilities of `folder` this peer holds references on.
    public nonisolated func folderReferences(folder: String) async throws -> Set<String> {
        try await local.ownedCapabilities(source: OwnedFile.folderSource(folder))
    }

    /// Takes references on versions of `folder`. A file small enough to be inlined is its
    /// root chunk alone; a larger one's chunks are listed from its manifest (fetched, not its
    /// data). Returns the capabilities now referenced; one whose manifest cannot be read now
    /// is left out, for the caller's next round.
    public nonisolated func referenceFolderVersions(
        folder: String, files: [(capability: Capability, size: UInt64)]
    ) async throws -> [String] {
        let now = Date()
        let inlineLimit = UInt64(fileEncoder().inlineLimit)
        var listed: [(file: OwnedFile, chunks: [ChunkID])] = []
        for (capability, size) in files {
            let ids: [ChunkID]
            if size <= inlineLimit {
                ids = [capability.root.id]
            } else {
                do {
                    ids = try await chunkIDs(of: capability)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.debug("a folder version's manifest cannot be read now", metadata: ["error": "\(error)"])
                    continue
                }
            }
            listed.append((OwnedFile(capability: capability.description, size: size, storedAt: now, source: OwnedFile.folderSource(folder)), ids))
        }
        try await local.recordOwnedFiles(listed)
        return listed.map(\.file.capability)
    }

    /// Takes a reference on the pages of this device's newest index tree of `folder` (a
    /// ledger row named by the hash of its page ids) and ends the references on earlier
    /// trees; returns the pages whose leases this peer released. No pages: ends them all
    /// (the folder is no longer synced here).
    public nonisolated func referenceFolderIndex(folder: String, pages: [ChunkID]) async throws -> [ChunkID] {
        let source = OwnedFile.folderIndexSource(folder)
        var name = ""
        if !pages.isEmpty {
            name = "index:" + ChunkID(hashing: pages.flatMap(\.bytes)).description
            try await local.recordOwnedFiles([(OwnedFile(capability: name, size: UInt64(pages.count), storedAt: Date(), source: source), pages)])
        }
        let earlier = try await local.ownedCapabilities(source: source).subtracting([name])
        guard !earlier.isEmpty else { return [] }
        return try await collector.remove(capabilities: Array(earlier), sources: [source]).released
    }

    /// Ends references on versions of `folder`; returns the chunks whose leases this peer
    /// released (no other file it owns uses them).
    public nonisolated func releaseFolderVersions(folder: String, capabilities: [String]) async throws -> [ChunkID] {
        let removal = try await collector.remove(capabilities: capabilities, sources: [OwnedFile.folderSource(folder)])
        if removal.removed > 0 {
            logger.info("released folder versions", metadata: [
                "folder": "\(folder)", "versions": "\(removal.removed)", "chunks released": "\(removal.released.count)",
                "unreachable peers": "\(removal.unreachable)",
            ])
        }
        return removal.released
    }
}
