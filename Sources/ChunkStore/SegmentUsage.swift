/// The segment files of a ``ChunkStore``: their bytes on disk, and how many of them are dead
/// (removed chunks, duplicates, padding) until compaction reclaims them.
public struct SegmentUsage: Sendable, Equatable {
    /// Number of segment files.
    public var segments: Int
    /// Bytes of segment files (their lengths).
    public var onDisk: UInt64
    /// Bytes of the records indexed chunks point at, headers included.
    public var live: UInt64

    public init(segments: Int, onDisk: UInt64, live: UInt64) {
        self.segments = segments
        self.onDisk = onDisk
        self.live = live
    }

    /// Dead bytes: what compaction can give back, at most (it copies only segments at least
    /// half dead, and the active one once it is).
    public var reclaimable: UInt64 { onDisk > live ? onDisk - live : 0 }
}
