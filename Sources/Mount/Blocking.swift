import Dispatch
import Synchronization

/// Runs async work from a thread that must block for its answer: libfuse's worker threads,
/// which are not Swift concurrency's, so waiting on them starves no executor.
public enum Blocking {
    /// The value of `body`, or `MountError` EIO when it throws or takes longer than `timeout`
    /// (the work is then cancelled: a read never hangs an application for good).
    public static func run<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) throws(MountError) -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
            task.cancel()
            throw .io("no answer from the peer within \(timeout)")
        }
        switch outcome.withLock({ $0 })! {
        case .success(let value): return value
        case .failure(let error as MountError): throw error
        case .failure(let error): throw .io("\(error)")
        }
    }
}
