/// `GET /v1/cache`: the peer's cache of chunks it read from other peers (`p2p cache status`).
public struct ChunkCacheStatus: Codable, Sendable, Equatable {
    /// The size bound (`cacheBytes` in config.json); pinned chunks may exceed it.
    public var capacityBytes: UInt64
    public var usedBytes: UInt64
    public var chunks: Int
    public var pinnedChunks: Int
    /// The capabilities pinned with `p2p pin`.
    public var pinnedFiles: [String]
    /// Chunk reads since the daemon started: answered by this peer's own store, by the
    /// cache, or fetched from other peers (each fetch then enters the cache).
    public var localReads: UInt64
    public var hits: UInt64
    public var fetches: UInt64
    /// Cached chunks whose bytes no longer matched their id: dropped and fetched again.
    public var corrupt: UInt64

    public init(
        capacityBytes: UInt64, usedBytes: UInt64, chunks: Int, pinnedChunks: Int, pinnedFiles: [String],
        localReads: UInt64, hits: UInt64, fetches: UInt64, corrupt: UInt64
    ) {
        self.capacityBytes = capacityBytes
        self.usedBytes = usedBytes
        self.chunks = chunks
        self.pinnedChunks = pinnedChunks
        self.pinnedFiles = pinnedFiles
        self.localReads = localReads
        self.hits = hits
        self.fetches = fetches
        self.corrupt = corrupt
    }
}

/// `POST /v1/cache/pins/{cap}` and `DELETE /v1/cache/pins/{cap}`, `DELETE /v1/cache`.
public struct ChunkCacheChange: Codable, Sendable, Equatable {
    /// Chunks the change concerned (pinned, unpinned, or dropped).
    public var chunks: Int
    public var bytes: UInt64

    public init(chunks: Int, bytes: UInt64) {
        self.chunks = chunks
        self.bytes = bytes
    }
}
