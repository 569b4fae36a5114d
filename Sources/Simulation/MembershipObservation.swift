import Membership

/// One change of state that one simulated peer observed about another.
public struct MembershipObservation: Hashable, Sendable {
    /// Simulated time of the change.
    public var time: Duration
    /// Index of the peer whose table changed.
    public var observer: Int
    /// Index of the peer the change is about.
    public var subject: Int
    /// The subject's new state in the observer's table.
    public var state: MemberState
    /// Its state before, `nil` when it was not known.
    public var previousState: MemberState?
}
