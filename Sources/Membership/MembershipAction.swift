/// What the driver must do after a call into `MembershipStateMachine`.
public enum MembershipAction: Hashable, Sendable {
    /// Encode the packet (`MessageCodec.encode`) and send it. Delivery may fail
    /// silently: the protocol tolerates loss.
    case send(MembershipPacket, to: MembershipEndpoint)
    /// A member appeared, changed state, or changed its record.
    case memberChanged(MembershipEvent)
    /// A dead or left member was dropped from the table after the retention time.
    case memberForgotten(MemberID)
    /// A member on probation (heard of only from a third party) sent a packet of its own:
    /// it may now enter the placement.
    case memberConfirmed(MemberID)
}

/// Where to send a packet: by NodeID when known (reuse a connection), else by address.
public struct MembershipEndpoint: Hashable, Sendable {
    /// The member's NodeID, `nil` for a seed whose identity is not known yet.
    public var id: MemberID?
    /// "host:port".
    public var address: String

    public init(id: MemberID?, address: String) {
        self.id = id
        self.address = address
    }
}

/// A change in the membership table.
public struct MembershipEvent: Hashable, Sendable {
    /// The member after the change.
    public var member: Member
    /// Its state before, `nil` when it was not known.
    public var previousState: MemberState?

    public init(member: Member, previousState: MemberState?) {
        self.member = member
        self.previousState = previousState
    }
}
