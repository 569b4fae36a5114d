import Synchronization

/// Wakes an idle worker before its pause ends (the repair worker when the placement
/// changes). A trigger fired while the worker is busy is remembered: its next wait ends at
/// once. Fired any number of times, a wait ends once.
public final class WorkerTrigger: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func fire() {
        let waiter = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil as CheckedContinuation<Void, Never>?
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Waits at least `minimum`, then until the trigger fires or `maximum` has passed in
    /// all; returns whether it fired. Either way the trigger is clear afterwards: the work
    /// about to run covers what fired it.
    @discardableResult
    public func wait(atLeast minimum: Duration, atMost maximum: Duration) async -> Bool {
        let clock = ContinuousClock()
        let started = clock.now
        try? await Task.sleep(for: min(minimum, maximum))  // the shortest pause, not synchronization
        let remaining = maximum - (clock.now - started)
        let fired: Bool
        if remaining > .zero && !Task.isCancelled {
            fired = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await self.fired() }
                group.addTask {
                    try? await Task.sleep(for: remaining)  // the pause's end, not synchronization
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        } else {
            fired = false
        }
        return state.withLock { state in
            defer { state.pending = false }
            return fired || state.pending
        }
    }

    /// Returns when fired (true) or when the waiting task is cancelled (false).
    private func fired() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.pending || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
            return !Task.isCancelled
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
