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
