import Synchronization

/// The subscriber's side of record subscriptions: the local streams waiting for news of
/// each key. A notification from a holder is delivered to every stream of its key.
final class RecordListeners: Sendable {
    private struct State {
        var streams: [[UInt8]: [UInt64: AsyncStream<[UInt8]>.Continuation]] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Registers a stream for `key`; returns its id for `remove`.
    func add(key: [UInt8], _ continuation: AsyncStream<[UInt8]>.Continuation) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.streams[key, default: [:]][state.nextID] = continuation
            return state.nextID
        }
    }

    /// Forgets a stream; returns how many streams of `key` remain.
    @discardableResult
    func remove(key: [UInt8], id: UInt64) -> Int {
        state.withLock { state in
            state.streams[key]?[id] = nil
            if state.streams[key]?.isEmpty == true { state.streams[key] = nil }
            return state.streams[key]?.count ?? 0
        }
    }

    /// Yields `key` to every stream of it; false when nobody here listens for it.
    func deliver(_ key: [UInt8]) -> Bool {
        let continuations = state.withLock { state in state.streams[key].map { Array($0.values) } ?? [] }
        for continuation in continuations { continuation.yield(key) }
        return !continuations.isEmpty
    }

    /// Ends every stream (the node is stopping).
    func finishAll() {
        let all = state.withLock { state in
            defer { state.streams = [:] }
            return state.streams.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }
}
