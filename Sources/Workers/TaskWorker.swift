/// A worker whose unit of work is a closure: the small loops (membership ticks, placement
/// refresh, lease pruning, hinted handoff, a folder's poll) in the one `Worker` shape.
public struct TaskWorker: Worker {
    public let name: String
    let body: @Sendable () async throws -> WorkerPace

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> WorkerPace) {
        self.name = name
        self.body = body
    }

    public func work() async throws -> WorkerPace {
        try await body()
    }
}
