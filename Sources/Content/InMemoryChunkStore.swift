/// A chunk store in memory, for tests and tools.
public actor InMemoryChunkStore: ChunkSink, ChunkSource {
    private var chunks: [ChunkID: [UInt8]] = [:]

    public init() {}

    public func store(id: ChunkID, bytes: [UInt8]) {
        if chunks[id] == nil { chunks[id] = bytes }
    }

    public func fetch(id: ChunkID) throws(ContentError) -> [UInt8] {
        guard let bytes = chunks[id] else { throw .chunkNotFound(id) }
        return bytes
    }

    /// Number of distinct chunks held.
    public var count: Int { chunks.count }

    /// Total bytes held.
    public var byteCount: Int { chunks.values.reduce(0) { $0 + $1.count } }

    /// The ids held.
    public var ids: Set<ChunkID> { Set(chunks.keys) }

    /// Replaces a chunk's bytes without checking them: lets tests simulate corruption.
    public func overwrite(id: ChunkID, with bytes: [UInt8]) {
        chunks[id] = bytes
    }

    /// Removes a chunk.
    public func remove(id: ChunkID) {
        chunks[id] = nil
    }
}
