/// Paces work to an average rate: after each unit of work, `delay(after:)` says how long to
/// wait so that the work done since the start stays within `rate` per second. A pacer that
/// fell far behind (idle time) does not burst to catch up.
struct RatePacer {
    /// Units per second; zero or less means unlimited.
    let rate: Double
    private let clock = ContinuousClock()
    private var start: ContinuousClock.Instant
    private var spent: Double = 0

    init(rate: Double) {
        self.rate = rate
        self.start = clock.now
    }

    mutating func delay(after cost: Double) -> Duration {
        guard rate > 0 else { return .zero }
        let now = clock.now
        spent += cost
        let due = start + .seconds(spent / rate)
        if due > now { return due - now }
        if now - due > .seconds(1) {
            start = now
            spent = 0
        }
        return .zero
    }

    /// Waits out the delay the work just done calls for (rate pacing, not synchronization).
    mutating func pace(after cost: Double) async {
        let wait = delay(after: cost)
        if wait > .zero { try? await Task.sleep(for: wait) }
    }
}
