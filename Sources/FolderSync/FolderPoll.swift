import Workers

/// A synced folder's timer in the one `Worker` shape: every poll interval it asks the
/// session to pull, and to rescan and republish once their longer intervals are due (the
/// watcher and change notifications make these a safety net, not the main path).
actor FolderPoll: Worker {
    nonisolated let name = "folder-poll"
    let timing: SyncTiming
    /// Asks the session for a scan, a pull and/or a republish.
    let poke: @Sendable (_ scan: Bool, _ pull: Bool, _ publish: Bool) -> Void
    private var started = false
    private var sinceRescan = Duration.zero
    private var sinceRepublish = Duration.zero

    init(timing: SyncTiming, poke: @escaping @Sendable (_ scan: Bool, _ pull: Bool, _ publish: Bool) -> Void) {
        self.timing = timing
        self.poke = poke
    }

    func work() -> WorkerPace {
        // The session scans and pulls as it starts: the first poll is one interval later.
        guard started else {
            started = true
            return .idle(timing.pollInterval)
        }
        sinceRescan += timing.pollInterval
        sinceRepublish += timing.pollInterval
        let rescan = sinceRescan >= timing.rescanInterval
        let republish = sinceRepublish >= timing.republishInterval
        if rescan { sinceRescan = .zero }
        if republish { sinceRepublish = .zero }
        poke(rescan, true, republish)
        return .idle(timing.pollInterval)
    }
}
