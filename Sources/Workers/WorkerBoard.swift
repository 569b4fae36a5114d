import APIModel
import APIModel
import Foundation
import Synchronization

/// What every worker did last, for `p2p status --workers` and the logs.
public final class WorkerBoard: Sendable {
    private let workers = Mutex<[String: NodeStatus.Worker]>([:])

    public init() {}

    public func started(_ name: String) {
        workers.withLock { workers in
            var entry = workers[name] ?? NodeStatus.Worker(name: name, state: "running")
            entry.state = "running"
            entry.lastRunStarted = Date().timeIntervalSince1970
            workers[name] = entry
        }
    }

    /// One run ended after `seconds`; `error` when it failed.
    public func finished(_ name: String, seconds: Double, error: (any Error)?) {
        workers.withLock { workers in
            var entry = workers[name] ?? NodeStatus.Worker(name: name, state: "idle")
            entry.runs += 1
            entry.lastRunSeconds = seconds
            if let error {
                entry.failures += 1
                entry.state = "backoff"
                entry.lastError = "\(error)"
            } else {
                entry.state = "idle"
                entry.lastError = nil
            }
            workers[name] = entry
        }
    }

    public func stopped(_ name: String) {
        workers.withLock { $0[name]?.state = "stopped" }
    }

    /// Every worker seen so far, sorted by name.
    public var entries: [NodeStatus.Worker] {
        workers.withLock { $0.values.sorted { $0.name < $1.name } }
    }
}
