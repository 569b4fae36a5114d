/// Lifeguard's dynamic suspicion timer: it starts at `maximum` and shrinks toward
/// `minimum` as independent members confirm the suspicion,
/// `timeout = max(min, max − (max − min) · log(c + 1) / log(k + 1))` for `c` of the
/// `k` wanted confirmations.
struct Suspicion: Sendable {
    let start: Duration
    let incarnation: UInt64
    let wanted: Int
    let minimum: Duration
    let maximum: Duration
    private(set) var accusers: Set<MemberID>
    private(set) var confirmations = 0

    init(accuser: MemberID, incarnation: UInt64, start: Duration, wanted: Int, minimum: Duration, maximum: Duration) {
        self.start = start
        self.incarnation = incarnation
        self.wanted = wanted
        self.minimum = minimum
        self.maximum = maximum
        self.accusers = [accuser]
    }

    /// When the member is declared dead unless it refutes first.
    var deadline: Duration {
        guard wanted > 0 else { return start + minimum }
        let fraction = ln(Double(confirmations + 1)) / ln(Double(wanted + 1))
        let timeout = maximum - (maximum - minimum) * fraction
        return start + (timeout > minimum ? timeout : minimum)
    }

    /// Counts a new accuser; `false` for a repeat or once enough have confirmed, in
    /// which case the update need not be gossiped again.
    mutating func confirm(_ accuser: MemberID) -> Bool {
        guard confirmations < wanted, accusers.insert(accuser).inserted else { return false }
        confirmations += 1
        return true
    }
}
