import APIModel
import Content

/// The chunk cache from the API: `p2p pin`, `p2p cache status|clear`.
extension PeerNode {
    /// Puts every chunk of `capability` in the cache and keeps them there: a file's chunks,
    /// or a directory's listings and every file under it. Chunks this peer stores itself
    /// are copied too, so that a pinned file stays readable here whatever placement does.
    public nonisolated func pin(_ capability: Capability) async throws -> ChunkCacheChange {
        let reader = chunks.reader
        var seen = Set<ChunkID>()
        var visited = Set<Capability>()
        let ids = try await chunkIDsUnder(capability, visited: &visited).filter { seen.insert($0).inserted }
        // Pinned before they arrive, so that no eviction takes the first while the last are fetched.
        let previous = cache.pinnedIDs(capability.description)
        try cache.pin(capability.description, ids: ids)
        var bytes: UInt64 = 0
        do {
            for id in ids {
                let chunk = try await reader.fetch(id: id)
                cache.insert(id, chunk)
                bytes += UInt64(chunk.count)
            }
        } catch {
            if let previous { try cache.pin(capability.description, ids: previous) } else { _ = try cache.unpin(capability.description) }
            throw error
        }
        return ChunkCacheChange(chunks: ids.count, bytes: bytes)
    }

    /// Lets the cache evict a pinned capability's chunks again; nil when it was not pinned.
    public nonisolated func unpin(_ capability: Capability) throws -> ChunkCacheChange? {
        try cache.unpin(capability.description)
    }

    /// The chunks of a file, or of a directory tree: its listings' and its files'. Each
    /// capability is walked once, however often a crafted tree names it.
    private nonisolated func chunkIDsUnder(_ capability: Capability, visited: inout Set<Capability>) async throws -> [ChunkID] {
        guard visited.insert(capability).inserted else { return [] }
        let decoder = fileDecoder()
        guard try await decoder.info(capability).kind == .directory else { return try await decoder.chunkIDs(of: capability) }
        var ids = try await decoder.chunkIDs(of: capability)
        for entry in try await decoder.readDirectory(capability).entries {
            switch entry.kind {
            case .file(let root), .directory(let root): ids += try await chunkIDsUnder(Capability(root: root), visited: &visited)
            case .symlink: break
            }
        }
        return ids
    }
}
