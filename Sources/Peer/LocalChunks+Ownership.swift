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

    public func ownedFiles() async throws -> [OwnedFile] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.ownedFiles() }
    }

    /// Forgets an owned file; the chunks no other owned file uses, or nil when it is not owned here.
    public func removeOwnedFile(capability: String) async throws -> [ChunkID]? {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.removeOwnedFile(capability: capability)?.map { ChunkID($0) } }
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

    public func removePendingReleases(_ ids: [ChunkID], peer: NodeID) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { try store.removePendingReleases(ids.map { StoredChunkID($0) }, peer: Data(peer.bytes)) }
    }
}
