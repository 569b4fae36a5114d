import Metrics
import Synchronization
import TestSupport
import Testing
import Workers
@testable import Peer

/// The one shape of every background loop: runs recorded on the board, a failing worker
/// backed off and shown as such, an idle worker woken early by its trigger but never
/// before its minimum pause, and a cancelled runner stopped.
@Suite struct WorkerRunnerTests {
    /// Counts its runs; fails while `failing` is set; idles for `pause`.
    final class CountingWorker: Worker {
        let name: String
        let pause: Duration
        let runs = Atomic(0)
        let failing: Atomic<Bool>

        init(_ name: String, pause: Duration, failing: Bool = false) {
            self.name = name
            self.pause = pause
            self.failing = Atomic(failing)
        }

        struct Failure: Error, CustomStringConvertible {
            var description: String { "disk on fire" }
        }

        func work() async throws -> WorkerPace {
            runs.add(1, ordering: .relaxed)
            if failing.load(ordering: .relaxed) { throw Failure() }
            return .idle(pause)
        }
    }

    static let metrics = NodeMetrics(factory: NOOPMetricsHandler.instance)

    /// Runs `runner` while `body` looks at it; cancels it afterwards and waits until it stopped.
    static func running(_ runner: WorkerRunner, board: WorkerBoard, _ body: () async throws -> Void) async rethrows {
        let task = Task { await runner.run(board: board, metrics: metrics, logger: .init(label: "test")) }
        defer { task.cancel() }
        try await body()
        task.cancel()
        await task.value
    }

    @Test func runsAreRecordedAndACancelledRunnerStops() async throws {
        let worker = CountingWorker("ticker", pause: .milliseconds(1))
        let board = WorkerBoard()
        await Self.running(WorkerRunner(worker), board: board) {
            #expect(await eventually { (board.entries.first?.runs ?? 0) >= 5 })
        }
        let entry = try #require(board.entries.first)
        #expect(entry.name == "ticker" && entry.state == "stopped" && entry.failures == 0 && entry.lastError == nil)
        #expect(entry.lastRunStarted != nil && entry.lastRunSeconds != nil)
        let runs = worker.runs.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(50))  // would show more runs, were it still running
        #expect(worker.runs.load(ordering: .relaxed) == runs)
    }

    @Test func aFailingWorkerBacksOffAndShowsWhy() async throws {
        let worker = CountingWorker("flaky", pause: .milliseconds(1), failing: true)
        var runner = WorkerRunner(worker)
        runner.backoff = .milliseconds(20)
        runner.maximumBackoff = .milliseconds(40)
        let board = WorkerBoard()
        try await Self.running(runner, board: board) {
            #expect(await eventually { (board.entries.first?.failures ?? 0) >= 3 })
            let failing = try #require(board.entries.first)
            #expect(failing.state == "backoff" || failing.state == "running")
            #expect(failing.lastError == "disk on fire")
            worker.failing.store(false, ordering: .relaxed)
            #expect(await eventually { board.entries.first?.lastError == nil })
        }
        // Backed off: three failures take at least 20 + 40 ms, not a busy loop.
        #expect(worker.runs.load(ordering: .relaxed) < 50)
    }

    @Test func backoffDoublesUpToItsMaximum() {
        var runner = WorkerRunner(CountingWorker("x", pause: .zero))
        runner.backoff = .seconds(1)
        runner.maximumBackoff = .seconds(5)
        #expect((1...5).map { runner.delay(afterFailures: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test func aTriggerWakesAnIdleWorkerButNotBeforeItsMinimumPause() async throws {
        let worker = CountingWorker("repair", pause: .seconds(3600))
        let trigger = WorkerTrigger()
        let board = WorkerBoard()
        let clock = ContinuousClock()
        try await Self.running(WorkerRunner(worker, trigger: trigger, minimumPause: .milliseconds(200)), board: board) {
            #expect(await eventually { worker.runs.load(ordering: .relaxed) == 1 })
            let fired = clock.now
            trigger.fire()
            trigger.fire()  // fired twice, woken once
            #expect(await eventually { worker.runs.load(ordering: .relaxed) == 2 })
            #expect(clock.now - fired >= .milliseconds(150))
            try await Task.sleep(for: .milliseconds(300))  // a second wake-up would show by now
            #expect(worker.runs.load(ordering: .relaxed) == 2)
        }
    }

    @Test func aTriggerFiredWhileBusyEndsTheNextWaitAtOnce() async {
        let trigger = WorkerTrigger()
        trigger.fire()
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await trigger.wait(atLeast: .zero, atMost: .seconds(3600)))
        #expect(clock.now - started < .seconds(60))
        // Cleared by that wait: the next one runs to its end.
        #expect(await !trigger.wait(atLeast: .zero, atMost: .milliseconds(20)))
    }

    @Test func backgroundJobsRunRefuseAfterFinishAndAreCancelledWithTheirGroup() async throws {
        let background = BackgroundTasks()
        let ran = Atomic(0)
        let group = Task { await background.run() }
        #expect(background.spawn { ran.add(1, ordering: .relaxed) })
        #expect(await eventually { ran.load(ordering: .relaxed) == 1 })
        let cancelled = Atomic(false)
        background.spawn {
            try? await Task.sleep(for: .seconds(3600))  // ends only when cancelled
            cancelled.store(Task.isCancelled, ordering: .relaxed)
        }
        background.finish()
        #expect(!background.spawn { ran.add(1, ordering: .relaxed) })
        group.cancel()
        await group.value
        let wasCancelled = cancelled.load(ordering: .relaxed)
        #expect(wasCancelled)
        #expect(ran.load(ordering: .relaxed) == 1)
    }
}
