/// Space accounting of a ``ChunkStore``.
public struct ChunkStoreUsage: Sendable, Equatable {
    /// Bytes of indexed chunks.
    public var used: UInt64
    /// Configured capacity in bytes.
    public var capacity: UInt64
    /// Number of indexed chunks.
    public var count: Int

    public init(used: UInt64, capacity: UInt64, count: Int) {
        self.used = used
        self.capacity = capacity
        self.count = count
    }

    /// Bytes still accepted (0 when over capacity, which recovery can cause).
    public var free: UInt64 { capacity > used ? capacity - used : 0 }
}
