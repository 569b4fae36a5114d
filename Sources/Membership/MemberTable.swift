/// Every member one peer knows, this peer included (always at position 0), stored
/// column by column: per member a shared record reference, a state byte, a timestamp,
/// and 4-byte row numbers in an open-addressing index and in id order — ≈ 30 bytes
/// where a `Dictionary<MemberID, Member>` entry costs ≈ 150 at its load factor. A
/// 10,000-member network thus holds 0.3 MB per peer, not 1.5 MB, and the simulator can
/// run 10,000 peers (10⁸ peer–member pairs) in one process.
///
/// Rows are stable until `removeAll(rows:)`, which keeps the remaining rows in order.
public struct MemberTable: RandomAccessCollection, Sendable {
    private(set) var records: [MemberRecord] = []
    private(set) var states: [MemberState] = []
    /// `since` in nanoseconds: half the size of a `Duration`.
    private var sinces: [Int64] = []
    /// Linear-probing index from id to row; -1 marks an empty bucket. A power of two
    /// in size, at most three quarters full.
    private var buckets: [Int32] = []
    /// Rows sorted by member id, so a push-pull snapshot needs no sort.
    private(set) var idOrder: [Int32] = []

    init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }

    /// The member at `row`.
    public internal(set) subscript(row: Int) -> Member {
        get { Member(record: records[row], state: states[row], since: .nanoseconds(sinces[row])) }
        set {
            precondition(records[row].id == newValue.id, "a row keeps its member")
            records[row] = newValue.record
            states[row] = newValue.state
            sinces[row] = Self.nanoseconds(newValue.since)
        }
    }

    /// The member with `id`; setting a new one appends it (removal is `removeAll`).
    subscript(id id: MemberID) -> Member? {
        get { row(of: id).map { self[$0] } }
        set {
            guard let newValue else { preconditionFailure("members are removed with removeAll(rows:)") }
            if let row = row(of: id) { self[row] = newValue } else { append(newValue) }
        }
    }

    /// The row of `id`, if known.
    func row(of id: MemberID) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var bucket = id.hashValue & mask
        while true {
            let row = buckets[bucket]
            if row < 0 { return nil }
            if records[Int(row)].id == id { return Int(row) }
            bucket = (bucket + 1) & mask
        }
    }

    /// Makes room for `count` members in all.
    mutating func reserveCapacity(_ count: Int) {
        records.reserveCapacity(count)
        states.reserveCapacity(count)
        sinces.reserveCapacity(count)
        idOrder.reserveCapacity(count)
        if Self.bucketCount(for: count) > buckets.count { rebuildIndex(minimumCount: count) }
    }

    /// Adds a member not yet known; returns its row.
    @discardableResult
    mutating func append(_ member: Member) -> Int {
        let row = records.count
        let position = insertionPoint(of: member.id)
        records.append(member.record)
        states.append(member.state)
        sinces.append(Self.nanoseconds(member.since))
        idOrder.insert(Int32(row), at: position)
        if Self.bucketCount(for: records.count) > buckets.count {
            rebuildIndex(minimumCount: records.count)
        } else {
            place(row)
        }
        return row
    }

    /// Removes the members at `rows` (never row 0); the others keep their order.
    mutating func removeAll(rows: Set<Int>) {
        guard !rows.isEmpty else { return }
        precondition(!rows.contains(0), "the local member is never removed")
        var keep = [Int]()
        keep.reserveCapacity(records.count - rows.count)
        for row in records.indices where !rows.contains(row) { keep.append(row) }
        var newRow = [Int32](repeating: -1, count: records.count)
        for (new, old) in keep.enumerated() { newRow[old] = Int32(new) }
        records = keep.map { records[$0] }
        states = keep.map { states[$0] }
        sinces = keep.map { sinces[$0] }
        idOrder = idOrder.compactMap { newRow[Int($0)] >= 0 ? newRow[Int($0)] : nil }
        rebuildIndex(minimumCount: records.count)
    }

    /// Where `id` goes in `idOrder`.
    private func insertionPoint(of id: MemberID) -> Int {
        var low = 0, high = idOrder.count
        while low < high {
            let middle = (low + high) / 2
            if records[Int(idOrder[middle])].id < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func place(_ row: Int) {
        let mask = buckets.count - 1
        var bucket = records[row].id.hashValue & mask
        while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(row)
    }

    private mutating func rebuildIndex(minimumCount: Int) {
        buckets = [Int32](repeating: -1, count: Self.bucketCount(for: Swift.max(minimumCount, records.count)))
        for row in records.indices { place(row) }
    }

    /// The smallest power of two that `count` fills at most three quarters.
    private static func bucketCount(for count: Int) -> Int {
        var buckets = 8
        while count * 4 > buckets * 3 { buckets *= 2 }
        return buckets
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
