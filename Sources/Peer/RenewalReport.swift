/// What one renewal round of an owner's leases did (`GarbageCollector.renewAll`).
struct RenewalReport: Sendable, Equatable {
    /// Distinct chunks of owned files whose leases were renewed.
    var chunks = 0
    /// Renewal requests sent to other peers, and their payload bytes.
    var requests = 0
    var bytesSent: UInt64 = 0
    /// Requests that failed (the peer was down, or timed out): renewed at the next round.
    var failures = 0
}
