/// A store's bytes by the state of their leases (``ChunkStore/leaseUsage(grace:)``).
public struct LeaseUsage: Sendable, Equatable {
    /// Bytes of chunks with a lease that has not ended.
    public var referenced: UInt64
    /// Bytes of chunks whose last lease ended more than the grace ago: the next sweep's.
    public var collectable: UInt64
    /// Bytes of chunks whose last lease ended within the grace.
    public var inGrace: UInt64

    public init(referenced: UInt64 = 0, collectable: UInt64 = 0, inGrace: UInt64 = 0) {
        self.referenced = referenced
        self.collectable = collectable
        self.inGrace = inGrace
    }
}
