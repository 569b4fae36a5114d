import Dispatch
import Synchronization

/// Turns many concurrent chunk writes into few durability points.
///
/// Writers `submit` and are answered through their completion. One drain at a time runs on
/// a serial queue: it takes everything pending (up to `maximumBatchBytes`), hands it to
/// `commit` as one batch — one append, one `fdatasync`, one SQLite transaction — and answers
/// every writer of the batch. Writes that arrive while a batch is being made durable wait
/// for the next one, so the batch size grows with the load and a lone writer pays one sync.
final class GroupCommit: Sendable {
    struct Write: Sendable {
        var id: StoredChunkID
        var bytes: [UInt8]
        /// Taken or extended in the batch's transaction, whether the chunk is new or not.
        var leases: [ChunkLease] = []
        var completion: @Sendable (Result<PutOutcome, ChunkStoreError>) -> Void
    }

    typealias Commit = @Sendable ([Write]) -> [Result<PutOutcome, ChunkStoreError>]

    private struct State {
        var pending: [Write] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "p2pstore.chunkstore.commit")
    private let maximumBatchBytes: Int
    private let commit: Commit
    private let batchCount = Atomic<Int>(0)

    init(maximumBatchBytes: Int = 64 << 20, commit: @escaping Commit) {
        self.maximumBatchBytes = maximumBatchBytes
        self.commit = commit
    }

    /// Batches committed so far.
    var batches: Int { batchCount.load(ordering: .relaxed) }

    func submit(_ write: Write) {
        let startDrain = state.withLock { state -> Bool in
            state.pending.append(write)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { queue.async { self.drain() } }
    }

    /// Submits and blocks the calling thread until the write's batch is durable.
    func submitAndWait(id: StoredChunkID, bytes: [UInt8], leases: [ChunkLease]) -> Result<PutOutcome, ChunkStoreError> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<PutOutcome, ChunkStoreError>?>(nil)
        submit(Write(id: id, bytes: bytes, leases: leases) { result in
            outcome.withLock { $0 = result }
            done.signal()
        })
        done.wait()
        return outcome.withLock { $0! }
    }

    /// Submits and suspends until the write's batch is durable.
    func submit(id: StoredChunkID, bytes: [UInt8], leases: [ChunkLease]) async -> Result<PutOutcome, ChunkStoreError> {
        await withCheckedContinuation { continuation in
            submit(Write(id: id, bytes: bytes, leases: leases) { continuation.resume(returning: $0) })
        }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Write] in
                var bytes = 0
                var taken = 0
                for write in state.pending {
                    if taken > 0 && bytes + write.bytes.count > maximumBatchBytes { break }
                    bytes += write.bytes.count
                    taken += 1
                }
                let batch = Array(state.pending.prefix(taken))
                state.pending.removeFirst(taken)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let results = commit(batch)
            batchCount.add(1, ordering: .relaxed)
            for (write, result) in zip(batch, results) { write.completion(result) }
        }
    }
}
