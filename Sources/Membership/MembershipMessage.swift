/// One datagram of the membership protocol. The driver sends it as one frame and, on
/// receipt, must check that `sender` equals the NodeID authenticated by TLS before
/// handing it to `MembershipStateMachine.receive`.
public struct MembershipPacket: Hashable, Sendable {
    /// Who sent it.
    public var sender: MemberID
    /// Where the sender can be reached, for replies from peers that do not know it yet.
    public var senderAddress: String
    /// The protocol message.
    public var message: MembershipMessage
    /// Piggy-backed membership updates (SWIM dissemination).
    public var gossip: [MemberUpdate]

    public init(sender: MemberID, senderAddress: String, message: MembershipMessage, gossip: [MemberUpdate] = []) {
        self.sender = sender
        self.senderAddress = senderAddress
        self.message = message
        self.gossip = gossip
    }
}

/// The SWIM and Lifeguard messages.
public enum MembershipMessage: Hashable, Sendable {
    /// "Are you alive?" to `target`, answered by `ack(seq)`. The target id guards against
    /// an address now used by another member.
    case ping(seq: UInt32, target: MemberID)
    /// Answer to a ping, or an indirect prober relaying the target's answer.
    case ack(seq: UInt32)
    /// Lifeguard: an indirect prober could not reach the target in time. Tells the
    /// requester its own network is fine, so it does not lower its health.
    case nack(seq: UInt32)
    /// "Please ping `target` for me" (SWIM indirect probe); answered by `ack` or `nack`.
    case pingRequest(seq: UInt32, target: MemberID, targetAddress: String)
    /// Nothing but the piggy-backed updates.
    case gossip
    /// Full state exchange: periodic anti-entropy, joining, and reconnecting to dead
    /// members (which heals partitions).
    case pushPull(PushPullState)
}

/// The full membership table sent in a push-pull exchange.
public struct PushPullState: Hashable, Sendable {
    /// `false` for a request (the receiver answers with its own state).
    public var isResponse: Bool
    /// The sender is joining.
    public var isJoin: Bool
    /// Every member the sender knows, itself included.
    public var members: [MemberSnapshot]

    public init(isResponse: Bool, isJoin: Bool, members: [MemberSnapshot]) {
        self.isResponse = isResponse
        self.isJoin = isJoin
        self.members = members
    }
}

/// A member's record and state, as carried in a push-pull exchange.
public struct MemberSnapshot: Hashable, Sendable {
    public var record: MemberRecord
    public var state: MemberState

    public init(record: MemberRecord, state: MemberState) {
        self.record = record
        self.state = state
    }

    /// The claim `record.proof` proves: the departure for a member that left, else the record.
    public var claim: MemberClaim {
        state == .left ? .left(record.id, incarnation: record.incarnation) : .alive(record)
    }
}

/// A membership change spread by gossip.
public enum MemberUpdate: Hashable, Sendable {
    /// The member is alive with this record (new member, refutation, or new metadata).
    case alive(MemberRecord)
    /// `accuser` suspects the member at `incarnation`.
    case suspect(MemberID, incarnation: UInt64, accuser: MemberID)
    /// `accuser` declared the member dead at `incarnation`.
    case dead(MemberID, incarnation: UInt64, accuser: MemberID)
    /// The member left gracefully; `proof` is its own proof of `MemberClaim.left`.
    case left(MemberID, incarnation: UInt64, proof: MemberProof)

    /// The member the update is about.
    public var memberID: MemberID {
        switch self {
        case .alive(let record): record.id
        case .suspect(let id, _, _), .dead(let id, _, _), .left(let id, _, _): id
        }
    }
}
