/// What a member tells the others about itself; the member alone changes it, and every
/// change carries a higher incarnation.
///
/// A value type backed by one immutable, shared object: copies (into a peer's table, a
/// push-pull snapshot, a gossip update, another simulated peer's table) cost one
/// reference, not ≈ 100 bytes, and a setter swaps in a new object. Records change only
/// when their member bumps its incarnation, so nearly every copy stays shared.
public struct MemberRecord: Hashable, Sendable {
    /// The fields, as one plain value.
    struct Fields: Hashable, Sendable {
        var id: MemberID
        var address: String
        var zone: String
        var capacity: UInt64
        var meta: MemberMeta
        var incarnation: UInt64
        var proof: MemberProof
    }

    /// Immutable, so sharing it between copies and threads is safe.
    final class Storage: Sendable {
        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    private(set) var storage: Storage

    public init(
        id: MemberID, address: String, zone: String, capacity: UInt64,
        meta: MemberMeta = MemberMeta(), incarnation: UInt64, proof: MemberProof = .none
    ) {
        storage = Storage(Fields(
            id: id, address: address, zone: zone, capacity: capacity, meta: meta, incarnation: incarnation, proof: proof))
    }

    public var id: MemberID {
        get { storage.fields.id }
        set { modify { $0.id = newValue } }
    }

    /// Where peers reach it, "host:port".
    public var address: String {
        get { storage.fields.address }
        set { modify { $0.address = newValue } }
    }

    /// Failure domain used by placement.
    public var zone: String {
        get { storage.fields.zone }
        set { modify { $0.zone = newValue } }
    }

    /// Bytes it offers for storage.
    public var capacity: UInt64 {
        get { storage.fields.capacity }
        set { modify { $0.capacity = newValue } }
    }

    /// Load figures for status pages and placement decisions.
    public var meta: MemberMeta {
        get { storage.fields.meta }
        set { modify { $0.meta = newValue } }
    }

    /// Lamport-style version of this record; a member refutes suspicion by raising it.
    public var incarnation: UInt64 {
        get { storage.fields.incarnation }
        set { modify { $0.incarnation = newValue } }
    }

    /// The member's own proof of this record (`MemberClaim.alive`), or, in a table row
    /// or snapshot of a member that left, of its `MemberClaim.left` at `incarnation`.
    public var proof: MemberProof {
        get { storage.fields.proof }
        set { modify { $0.proof = newValue } }
    }

    /// Whether both values share one storage object: equal without comparing fields.
    func isIdentical(to other: MemberRecord) -> Bool { storage === other.storage }

    private mutating func modify(_ change: (inout Fields) -> Void) {
        var fields = storage.fields
        change(&fields)
        // Setting a field to its value keeps the record shared.
        if fields != storage.fields { storage = Storage(fields) }
    }

    public static func == (lhs: MemberRecord, rhs: MemberRecord) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields)
    }
}
