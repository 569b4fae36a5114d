/// A peer as placement sees it: who it is, where it is, and how much it can hold.
public struct RingMember: Hashable, Sendable {
    /// The peer's NodeID.
    public var id: RingNodeID
    /// The failure domain (rack, site, region). Replicas of a key go to distinct zones
    /// while enough zones exist.
    public var zone: String
    /// The bytes the peer offers. A peer with capacity 0 is a member but holds no data.
    public var capacity: UInt64

    public init(id: RingNodeID, zone: String, capacity: UInt64) {
        self.id = id
        self.zone = zone
        self.capacity = capacity
    }
}
