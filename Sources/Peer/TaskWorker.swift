/// A worker whose unit of work is a closure: the node's small loops (membership ticks,
/// placement refresh, lease pruning, hinted handoff) in the one `Worker` shape.
struct TaskWorker: Worker {
    let name: String
    let body: @Sendable () async throws -> WorkerPace

    init(_ name: String, _ body: @escaping @Sendable () async throws -> WorkerPace) {
        self.name = name
        self.body = body
    }

    func work() async throws -> WorkerPace {
        try await body()
    }
}
