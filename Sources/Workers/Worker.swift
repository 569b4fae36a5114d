/// One background loop — of a node, of a synced folder — in one shape (Garage's): a name
/// and one unit of work that says when it wants to run next. `WorkerRunner` does the
/// looping, the waiting, the backoff after a failure, the metrics and the status
/// `p2p status --workers` shows.
public protocol Worker: Sendable {
    /// Short and stable: it names the worker in logs, metrics and the status.
    var name: String { get }
    /// Does one unit of work. A thrown error is logged and the work retried after a backoff.
    func work() async throws -> WorkerPace
}

/// Where runners count runs (the node's `p2p_worker_runs_total`).
public protocol WorkerMetrics: Sendable {
    func recordWorkerRun(worker: String, failed: Bool)
}

/// What a worker wants after one unit of work.
public enum WorkerPace: Sendable, Equatable {
    /// More to do: run again at once.
    case busy
    /// Nothing due for this long (or until the worker's trigger fires).
    case idle(Duration)
}
