/// What one ``ChunkStore/collect(grace:limit:)`` removed.
public struct CollectionReport: Sendable, Equatable {
    /// Chunks whose rows were removed.
    public var chunks: Int
    /// Their bytes, now dead space in their segments.
    public var bytes: UInt64

    public init(chunks: Int = 0, bytes: UInt64 = 0) {
        self.chunks = chunks
        self.bytes = bytes
    }

    /// Adds one step's report to a running total.
    public mutating func add(_ step: CollectionReport) {
        chunks += step.chunks
        bytes += step.bytes
    }
}
