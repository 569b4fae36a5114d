/// A token bucket on the members a table may add: `burst` at once, then `perSecond`.
/// Pure: the caller passes the time.
struct AdmissionBudget: Sendable {
    let burst: Double
    let perSecond: Double
    private var tokens: Double
    private var updatedAt: Duration?

    init(burst: Int, perSecond: Int) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        tokens = Double(burst)
    }

    /// Whether a member may be added at `now` (refills, takes nothing).
    mutating func hasRoom(now: Duration) -> Bool {
        refill(now: now)
        return tokens >= 1
    }

    /// Spends one admission; call after `hasRoom` returned true.
    mutating func spend() { tokens -= 1 }

    private mutating func refill(now: Duration) {
        if let updatedAt, now > updatedAt {
            let (seconds, attoseconds) = (now - updatedAt).components
            tokens = min(burst, tokens + (Double(seconds) + Double(attoseconds) * 1e-18) * perSecond)
        }
        if updatedAt.map({ now > $0 }) ?? true { updatedAt = now }
    }
}
