import Logging

/// Runs one worker until cancelled: a unit of work, then the pause it asked for (cut short
/// by its trigger, never shorter than `minimumPause`), with an exponential backoff after
/// failures; every run is recorded on the board and in the metrics.
public struct WorkerRunner: Sendable {
    public let worker: any Worker
    /// Wakes the worker before its pause ends.
    public var trigger: WorkerTrigger?
    /// The shortest pause after idle work, even when triggered: a flapping membership
    /// cannot keep a worker busy.
    public var minimumPause: Duration = .zero
    /// Pause after the first failure, doubled after each further one up to `maximumBackoff`.
    public var backoff: Duration = .seconds(1)
    public var maximumBackoff: Duration = .seconds(60)

    public init(_ worker: any Worker, trigger: WorkerTrigger? = nil, minimumPause: Duration = .zero) {
        self.worker = worker
        self.trigger = trigger
        self.minimumPause = minimumPause
    }

    public func run(board: WorkerBoard, metrics: (any WorkerMetrics)?, logger: Logger) async {
        let clock = ContinuousClock()
        let name = worker.name
        var failures = 0
        while !Task.isCancelled {
            board.started(name)
            let started = clock.now
            var pace: WorkerPace
            do {
                pace = try await worker.work()
                failures = 0
                board.finished(name, seconds: (clock.now - started) / .seconds(1), error: nil)
            } catch {
                if Task.isCancelled { break }
                failures += 1
                pace = .idle(delay(afterFailures: failures))
                board.finished(name, seconds: (clock.now - started) / .seconds(1), error: error)
                logger.warning("worker failed; retrying after a backoff", metadata: [
                    "worker": "\(name)", "failures": "\(failures)", "error": "\(error)",
                ])
            }
            metrics?.recordWorkerRun(worker: name, failed: failures > 0)
            switch pace {
            case .busy:
                await Task.yield()
            case .idle(let pause):
                if let trigger {
                    await trigger.wait(atLeast: minimumPause, atMost: max(pause, minimumPause))
                } else {
                    try? await Task.sleep(for: max(pause, minimumPause))  // the worker's own period, not synchronization
                }
            }
        }
        board.stopped(name)
    }

    /// The backoff after `failures` consecutive failures.
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = backoff
        for _ in 1..<max(failures, 1) where delay < maximumBackoff { delay *= 2 }
        return min(delay, maximumBackoff)
    }
}
