/// An arc of the 64-bit ring, `[start, end)` clockwise.
///
/// When `end <= start` the arc wraps through zero; `start == end` is the whole ring.
public struct RingRange: Sendable, Hashable {
    public var start: UInt64
    public var end: UInt64

    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }

    /// The whole ring.
    public static let all = RingRange(start: 0, end: 0)

    /// True when `position` lies on the arc.
    public func contains(_ position: UInt64) -> Bool {
        if start < end { return position >= start && position < end }
        return position >= start || position < end
    }

    /// The arc as at most two non-wrapping pieces in ring order from `start`;
    /// an upper bound of nil means "through `UInt64.max`".
    var segments: [(lower: UInt64, upper: UInt64?)] {
        if start < end { return [(start, end)] }
        var pieces: [(lower: UInt64, upper: UInt64?)] = [(start, nil)]
        if end > 0 { pieces.append((0, end)) }
        return pieces
    }
}
