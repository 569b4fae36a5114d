import ChunkStore
import Content

/// Feeds `FileEncoder` into an on-disk `ChunkStore` and `FileDecoder` from it. `put` blocks
/// on disk I/O (and syncs); a benchmark may call it from the encoder's tasks, a server would
/// use a thread pool.
struct ChunkStoreSink: ChunkSink, ChunkSource {
    let store: ChunkStore

    func store(id: ChunkID, bytes: [UInt8]) async throws {
        guard let stored = StoredChunkID(bytes: id.bytes) else { preconditionFailure("a ChunkID always has 32 bytes") }
        try store.put(stored, bytes)
    }

    func fetch(id: ChunkID) async throws -> [UInt8] {
        guard let stored = StoredChunkID(bytes: id.bytes) else { preconditionFailure("a ChunkID always has 32 bytes") }
        return try store.get(stored)
    }
}
