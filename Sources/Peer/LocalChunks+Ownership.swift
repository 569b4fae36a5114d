import ChunkStore
import Content
import Foundation
import Transport
import NIOPosix

/// The owner's ledger in the local store (docs/gc.md), off the cooperative threads.
extension LocalChunks {
    /// Lists a file this peer stored, with its chunks, durably.
    public func recordOwnedFile(_ file: OwnedFile, chunks: [ChunkID]) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { try store.recordOwnedFile(file, chunks: chunks.map { StoredChunkID($0) }) }
    }

    /// Lists several files with their chunks in one durable transaction.
    public func recordOwnedFiles(_ files: [(file: OwnedFile, chunks: [ChunkID])]) async throws {
        let store = store
        let stored = files.map { ($0.file, $0.chunks.map { StoredChunkID($0) }) }
        try await NIOThreadPool.singleton.runIfActive { try store.recordOwnedFiles(stored) }
    }

    /// The capabilities owned from `source`.
    public func ownedCapabilities(source: String) async throws -> Set<String> {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.ownedCapabilities(source: source) }
    }

    /// The sources `capability` is owned from.
    public func ownedSources(capability: String) async throws -> Set<String> {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.ownedSources(capability: capability) }
    }

    public func ownedFiles() async throws -> [OwnedFile] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.ownedFiles() }
    }

    /// Forgets owned files of `source`: how many were listed, and the chunks no remaining
    /// owned file uses.
    public func removeOwnedFiles(capabilities: [String], sources: [String]) async throws -> (removed: Int, orphans: [ChunkID]) {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            let (removed, orphans) = try store.removeOwnedFiles(capabilities: capabilities, sources: sources)
            return (removed, orphans.map { ChunkID($0) })
        }
    }

    /// One page of the distinct chunks of owned files, in id order after `cursor`.
    public func ownedChunks(after cursor: ChunkID?, limit: Int) async throws -> [ChunkID] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.ownedChunks(after: cursor.map { StoredChunkID($0) }, limit: limit).map { ChunkID($0) }
        }
    }

    public func addPendingReleases(_ ids: [ChunkID], peer: NodeID) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { try store.addPendingReleases(ids.map { StoredChunkID($0) }, peer: Data(peer.bytes)) }
    }

    /// Up to `limit` releases still to deliver, by peer.
    public func pendingReleases(limit: Int) async throws -> [(NodeID, [ChunkID])] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.pendingReleases(limit: limit).compactMap { peer, ids in NodeID(bytes: peer).map { ($0, ids.map { ChunkID($0) }) } }
        }
    }

    /// Those of `ids` still pending for `peer`.
    public func pendingReleases(_ ids: [ChunkID], peer: NodeID) async throws -> [ChunkID] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.pendingReleases(ids.map { StoredChunkID($0) }, peer: Data(peer.bytes)).map { ChunkID($0) }
        }
    }

    public func removePendingReleases(_ ids: [ChunkID], peer: NodeID) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { try store.removePendingReleases(ids.map { StoredChunkID($0) }, peer: Data(peer.bytes)) }
    }
}
