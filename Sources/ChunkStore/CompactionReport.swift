/// What one ``ChunkStore/compact(maximumBytes:)`` did.
public struct CompactionReport: Sendable, Equatable {
    /// Segment files unlinked.
    public var segmentsRemoved: Int
    /// Bytes of live records (headers included) copied forward into the active segment.
    public var bytesCopied: UInt64
    /// Chunks whose rows now point at their copies.
    public var chunksMoved: Int
    /// Bytes of the segment files unlinked.
    public var bytesFreed: UInt64
    /// False when the byte budget ran out before every segment worth compacting was done:
    /// call again (after a pause, to rate-limit).
    public var finished: Bool

    public init(segmentsRemoved: Int = 0, bytesCopied: UInt64 = 0, chunksMoved: Int = 0, bytesFreed: UInt64 = 0, finished: Bool = true) {
        self.segmentsRemoved = segmentsRemoved
        self.bytesCopied = bytesCopied
        self.chunksMoved = chunksMoved
        self.bytesFreed = bytesFreed
        self.finished = finished
    }

    /// Adds one call's report to a running total; `finished` becomes the call's.
    public mutating func add(_ step: CompactionReport) {
        segmentsRemoved += step.segmentsRemoved
        bytesCopied += step.bytesCopied
        chunksMoved += step.chunksMoved
        bytesFreed += step.bytesFreed
        finished = step.finished
    }

    /// Whether the call removed or copied anything (false: there was nothing to do).
    public var didWork: Bool { segmentsRemoved > 0 || bytesCopied > 0 || chunksMoved > 0 }
}
