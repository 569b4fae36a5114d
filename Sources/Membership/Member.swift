/// What a member tells the others about itself; the member alone changes it, and every
/// change carries a higher incarnation.
public struct MemberRecord: Hashable, Sendable {
    public var id: MemberID
    /// Where peers reach it, "host:port".
    public var address: String
    /// Failure domain used by placement.
    public var zone: String
    /// Bytes it offers for storage.
    public var capacity: UInt64
    /// Load figures for status pages and placement decisions.
    public var meta: MemberMeta
    /// Lamport-style version of this record; a member refutes suspicion by raising it.
    public var incarnation: UInt64

    public init(
        id: MemberID, address: String, zone: String, capacity: UInt64,
        meta: MemberMeta = MemberMeta(), incarnation: UInt64
    ) {
        self.id = id
        self.address = address
        self.zone = zone
        self.capacity = capacity
        self.meta = meta
        self.incarnation = incarnation
    }
}

/// Load figures a member publishes about itself.
public struct MemberMeta: Hashable, Sendable {
    /// Bytes of chunks stored.
    public var usedBytes: UInt64
    /// Number of chunks stored.
    public var chunkCount: UInt64

    public init(usedBytes: UInt64 = 0, chunkCount: UInt64 = 0) {
        self.usedBytes = usedBytes
        self.chunkCount = chunkCount
    }
}

/// The liveness of a member as this peer sees it.
public enum MemberState: UInt8, Hashable, Sendable, CaseIterable {
    /// Answers probes (or has not been caught failing).
    case alive = 0
    /// Failed a probe; declared dead unless it refutes before the suspicion timeout.
    case suspect = 1
    /// Failed and did not refute. Kept so it can be listed and can come back.
    case dead = 2
    /// Left gracefully; never probed again unless it rejoins with a higher incarnation.
    case left = 3
}

/// A member as this peer sees it.
public struct Member: Hashable, Sendable {
    /// The member's latest record known here.
    public var record: MemberRecord
    /// Its liveness as seen here.
    public var state: MemberState
    /// When (on this peer's clock) it entered `state`.
    public var since: Duration

    public init(record: MemberRecord, state: MemberState, since: Duration) {
        self.record = record
        self.state = state
        self.since = since
    }

    public var id: MemberID { record.id }
    public var address: String { record.address }
    public var incarnation: UInt64 { record.incarnation }
    /// Alive or suspect: still expected to answer.
    public var isActive: Bool { state == .alive || state == .suspect }
}
