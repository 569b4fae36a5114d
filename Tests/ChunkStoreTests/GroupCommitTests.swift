@testable import ChunkStore
import Dispatch
import Synchronization
import Testing

/// The batching itself, with a commit step the test holds and releases: no disk involved.
@Suite("Group commit")
struct GroupCommitTests {
    /// A commit step that records each batch's size and blocks until the test lets it go on.
    final class HeldCommit: Sendable {
        let batches = Mutex<[Int]>([])
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func commit(_ batch: [GroupCommit.Write]) -> [Result<PutOutcome, ChunkStoreError>] {
            batches.withLock { $0.append(batch.count) }
            entered.signal()
            release.wait()
            return batch.map { _ in .success(.stored) }
        }
    }

    @Test func writesArrivingDuringACommitShareTheNextOne() {
        let held = HeldCommit()
        let commit = GroupCommit { held.commit($0) }
        let answered = Mutex(0)
        let all = DispatchGroup()
        func submit(_ seed: UInt64) {
            all.enter()
            let chunk = makeChunk(seed: seed, size: 100)
            commit.submit(GroupCommit.Write(id: chunk.id, bytes: chunk.bytes) { result in
                if case .success(.stored) = result { answered.withLock { $0 += 1 } }
                all.leave()
            })
        }
        submit(0)
        held.entered.wait()
        // The first batch is being made durable: these ten wait for the next one, together.
        for seed in UInt64(1)...10 { submit(seed) }
        #expect(answered.withLock { $0 } == 0)
        held.release.signal()
        held.entered.wait()
        held.release.signal()
        all.wait()
        #expect(held.batches.withLock { $0 } == [1, 10])
        #expect(answered.withLock { $0 } == 11)
        #expect(commit.batches == 2)
    }

    @Test func aBatchStopsAtItsByteLimit() {
        let held = HeldCommit()
        let commit = GroupCommit(maximumBatchBytes: 250) { held.commit($0) }
        let all = DispatchGroup()
        func submit(_ seed: UInt64) {
            all.enter()
            let chunk = makeChunk(seed: seed, size: 100)
            commit.submit(GroupCommit.Write(id: chunk.id, bytes: chunk.bytes) { _ in all.leave() })
        }
        submit(0)
        held.entered.wait()
        for seed in UInt64(1)...5 { submit(seed) }
        for _ in 0..<3 {
            held.release.signal()
            held.entered.wait()
        }
        held.release.signal()
        all.wait()
        // 100-byte writes under a 250-byte limit: two per batch after the first.
        #expect(held.batches.withLock { $0 } == [1, 2, 2, 1])
    }
}
