import ChunkStore
import Foundation
import Testing

@Suite("ChunkStore under concurrency")
struct ChunkStoreConcurrencyTests {
    @Test func concurrentPutsAndGetsAgree() async throws {
        try await withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let chunks = (0..<200).map { makeChunk(seed: UInt64($0), size: 1000 + ($0 * 337) % 20_000) }

            // Every chunk is put twice at once: exactly one put stores it, the other finds it.
            let outcomes = try await withThrowingTaskGroup(of: (Int, PutOutcome).self) { group in
                for (index, chunk) in chunks.enumerated() {
                    for _ in 0..<2 { group.addTask { (index, try await store.put(chunk.id, chunk.bytes)) } }
                }
                var outcomes = [Int: [PutOutcome]]()
                for try await (index, outcome) in group { outcomes[index, default: []].append(outcome) }
                return outcomes
            }
            for index in chunks.indices {
                #expect(outcomes[index]?.sorted { $0 == .stored && $1 != .stored } == [.stored, .alreadyPresent])
            }
            let total = UInt64(chunks.reduce(0) { $0 + $1.bytes.count })
            #expect(store.usage == ChunkStoreUsage(used: total, capacity: 1 << 30, count: 200))

            // Reads of everything, deletes of the first 50 and 100 new puts, all interleaved.
            let fresh = (0..<100).map { makeChunk(seed: UInt64(1000 + $0), size: 4096) }
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, chunk) in chunks.enumerated() {
                    group.addTask {
                        let bytes = try store.bytesOrNil(chunk.id)
                        // A chunk being deleted may be gone; any bytes returned must be right.
                        return bytes == chunk.bytes || (bytes == nil && index < 50) ? 0 : 1
                    }
                    if index < 50 { group.addTask { try store.delete(chunk.id) ? 0 : 1 } }
                }
                for chunk in fresh { group.addTask { try await store.put(chunk.id, chunk.bytes) == .stored ? 0 : 1 } }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            let expected = chunks[50...].map(\.id) + fresh.map(\.id)
            #expect(try store.has(expected).allSatisfy { $0 })
            #expect(try store.has(chunks[..<50].map(\.id)).allSatisfy { !$0 })
            let used = UInt64(chunks[50...].reduce(0) { $0 + $1.bytes.count } + fresh.count * 4096)
            #expect(store.usage == ChunkStoreUsage(used: used, capacity: 1 << 30, count: 250))
            #expect(try store.temporaryFiles().isEmpty)
        }
    }

    @Test func concurrentPutsNeverOvershootCapacity() async throws {
        try await withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 10 * 1000, logger: quietLogger)
            let chunks = (0..<30).map { makeChunk(seed: UInt64(500 + $0), size: 1000) }
            let (stored, full) = try await withThrowingTaskGroup(of: Bool.self) { group in
                for chunk in chunks {
                    group.addTask {
                        do {
                            return try await store.put(chunk.id, chunk.bytes) == .stored
                        } catch let error as ChunkStoreError where error.code == .full {
                            return false
                        }
                    }
                }
                var stored = 0
                var full = 0
                for try await wasStored in group {
                    if wasStored { stored += 1 } else { full += 1 }
                }
                return (stored, full)
            }
            #expect(stored == 10)
            #expect(full == 20)
            #expect(store.usage == ChunkStoreUsage(used: 10_000, capacity: 10_000, count: 10))
            #expect(try store.chunks(limit: .max).count == 10)
        }
    }
}
