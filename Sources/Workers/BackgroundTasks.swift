/// Work a node starts without waiting for it — the copies of a write beyond W, read
/// repair, membership packets, notifications, subscription renewals — run as children of
/// the node's worker group, so none outlives the node: stopping it cancels them and waits
/// for them to end. Work handed over before the group runs waits for it; work handed over
/// after the node stopped is refused.
public final class BackgroundTasks: Sendable {
    public typealias Job = @Sendable () async -> Void
    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init() {
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Starts `job` in the background; false when the node has stopped and the job was dropped.
    @discardableResult
    public func spawn(_ job: @escaping Job) -> Bool {
        if case .enqueued = continuation.yield(job) { return true }
        return false
    }

    /// Runs jobs as they come. After `finish`, returns once the running ones end; when
    /// cancelled, cancels them and returns once they have ended. Called once, by the node's
    /// worker group.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask { await job() }
            }
        }
    }

    /// Refuses new jobs; `run` returns once the running ones end.
    public func finish() {
        continuation.finish()
    }
}
