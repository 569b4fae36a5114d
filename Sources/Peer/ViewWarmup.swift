import Ring
import Transport

/// Whether this peer's view of the network is complete enough to name every holder of a
/// chunk. Right after a restart the membership knows only the peers it has reached so far:
/// a release computed from that view misses the holders it has not heard of yet, and they
/// would keep the owner's lease for its whole length (docs/gc.md, "Releases"). The view is
/// **warm** once every member the address book listed as alive or suspect at the start is
/// placed again and, when there was anyone to contact, at least one other peer is placed;
/// or once `limit` has passed since the start, whichever comes first (a member may have
/// left for good while this peer was down).
struct ViewWarmup: Sendable {
    /// The longest a view stays cold.
    static let limit = Duration.seconds(60)

    /// Members this peer knew as alive or suspect when it stopped.
    let expected: Set<NodeID>
    /// Whether this peer had seeds or an address book to contact at the start.
    let contactsOthers: Bool
    let deadline: ContinuousClock.Instant

    init(expected: Set<NodeID>, contactsOthers: Bool, started: ContinuousClock.Instant = .now, limit: Duration = Self.limit) {
        self.expected = expected
        self.contactsOthers = contactsOthers || !expected.isEmpty
        self.deadline = started + limit
    }

    /// A view that is warm from the start (a peer alone, tests).
    static let warm = ViewWarmup(expected: [], contactsOthers: false)

    func isWarm(_ snapshot: PlacementSnapshot, now: ContinuousClock.Instant = .now) -> Bool {
        if now >= deadline { return true }
        if contactsOthers && !snapshot.peers.values.contains(where: { !$0.isSelf }) { return false }
        return expected.allSatisfy { snapshot.peers[$0.identifier] != nil }
    }
}
