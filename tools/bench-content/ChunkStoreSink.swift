import ChunkStore
import Content

/// Feeds `FileEncoder` into an on-disk `ChunkStore` and `FileDecoder` from it: each put
/// suspends until its group commit is durable, so the encoder's chunks in flight share syncs.
struct ChunkStoreSink: ChunkSink, ChunkSource {
    let store: ChunkStore

    func store(id: ChunkID, bytes: [UInt8]) async throws {
        guard let stored = StoredChunkID(bytes: id.bytes) else { preconditionFailure("a ChunkID always has 32 bytes") }
        try await store.putSealed(stored, bytes)
    }

    func fetch(id: ChunkID) async throws -> [UInt8] {
        guard let stored = StoredChunkID(bytes: id.bytes) else { preconditionFailure("a ChunkID always has 32 bytes") }
        return try store.get(stored)
    }
}
