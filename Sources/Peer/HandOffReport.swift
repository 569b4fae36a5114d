/// What a graceful leave did before announcing `left` (`PeerNode.leave`): every chunk this
/// peer held, pushed to the owners it will have once this peer is gone, and confirmed.
public struct HandOffReport: Sendable, Equatable {
    /// Chunks this peer held when the last hand-off pass began.
    public var chunks = 0
    /// Chunks every reachable new owner confirmed holding (answered `hasChunks` or
    /// acknowledged the push) in the last pass.
    public var confirmed = 0
    /// Of those, chunks with a new owner that was down (dead within the removal grace): they
    /// are below N until repair brings that owner its copy.
    public var ownerDown = 0
    /// Copies pushed and their bytes, over every pass.
    public var pushedCopies = 0
    public var pushedBytes: UInt64 = 0
    /// Passes over the local chunks: more than one when some owner did not confirm at first.
    public var passes = 0
    /// Seconds from the start of the hand-off to the announcement of `left`.
    public var seconds: Double = 0

    /// Whether every chunk reached all of its new owners before the peer left.
    public var isComplete: Bool { confirmed == chunks }

    public init() {}
}
