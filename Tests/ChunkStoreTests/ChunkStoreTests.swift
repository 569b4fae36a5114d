import ChunkStore
import Foundation
import Testing

@Suite("ChunkStore basics")
struct ChunkStoreTests {
    @Test func putThenGetRoundTrips() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 1, size: 100_000)
            #expect(try store.put(id, bytes) == .stored)
            #expect(try store.get(id) == bytes)
            #expect(try store.has([id, makeChunk(seed: 2, size: 10).id]) == [true, false])
            #expect(store.usage == ChunkStoreUsage(used: 100_000, capacity: 1 << 30, count: 1))
            let record = try #require(try store.record(id))
            #expect(record.size == 100_000)
            #expect(record.ringPosition == id.ringPosition)
            #expect(record.lastVerified == nil)
            #expect(try store.location(of: id)?.length == 100_000)
            #expect(try store.temporaryFiles().isEmpty)
            #expect(try store.integrityCheck() == ["ok"])
        }
    }

    @Test func emptyChunkIsAllowed() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 10, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 3, size: 0)
            #expect(try store.put(id, bytes) == .stored)
            #expect(try store.get(id) == [])
            #expect(store.usage.count == 1)
        }
    }

    @Test func putWithWrongIDIsRefused() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let (id, _) = makeChunk(seed: 1, size: 1000)
            let (_, other) = makeChunk(seed: 2, size: 1000)
            let error = #expect(throws: ChunkStoreError.self) { try store.put(id, other) }
            #expect(error?.code == .hashMismatch)
            #expect(error?.chunk == id)
            #expect(store.usage.count == 0 && store.usage.used == 0)
            #expect(try store.has([id]) == [false])
            #expect(try store.location(of: id) == nil)
            #expect(filesUnder(root + "/segments").isEmpty)
            #expect(try store.temporaryFiles().isEmpty)
        }
    }

    @Test func aSealedPutIsNotHashedAgainButEveryReadIs() async throws {
        try await withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 5, size: 3000)
            #expect(try await store.putSealed(id, bytes) == .stored)
            #expect(try store.get(id) == bytes)
            // A caller that breaks the contract (bytes that are not the id's) is caught at
            // the first read: the copy is quarantined and reported corrupt, never returned.
            let (liar, _) = makeChunk(seed: 6, size: 3000)
            let (_, other) = makeChunk(seed: 7, size: 3000)
            #expect(try await store.putSealed(liar, other) == .stored)
            let error = #expect(throws: ChunkStoreError.self) { try store.get(liar) }
            #expect(error?.code == .corrupt)
            #expect(try store.has([liar]) == [false])
            // An unsealed put still hashes what it is given.
            let refused = await #expect(throws: ChunkStoreError.self) { try await store.put(liar, other) }
            #expect(refused?.code == .hashMismatch)
        }
    }

    @Test func putIsIdempotent() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 4, size: 5000)
            #expect(try store.put(id, bytes) == .stored)
            #expect(try store.put(id, bytes) == .alreadyPresent)
            #expect(try store.put(id, bytes) == .alreadyPresent)
            #expect(store.usage == ChunkStoreUsage(used: 5000, capacity: 1 << 30, count: 1))
            #expect(try store.get(id) == bytes)
        }
    }

    @Test func capacityIsEnforcedAndAccounted() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1000, logger: quietLogger)
            let a = makeChunk(seed: 10, size: 600)
            let b = makeChunk(seed: 11, size: 500)
            let c = makeChunk(seed: 12, size: 400)
            #expect(try store.put(a.id, a.bytes) == .stored)
            let error = #expect(throws: ChunkStoreError.self) { try store.put(b.id, b.bytes) }
            #expect(error?.code == .full)
            #expect(error?.chunk == b.id)
            #expect(store.usage.used == 600 && store.usage.free == 400)
            #expect(try store.has([b.id]) == [false])
            // Exactly filling the capacity is allowed; an already-present chunk never counts as new.
            #expect(try store.put(c.id, c.bytes) == .stored)
            #expect(store.usage.used == 1000 && store.usage.free == 0)
            #expect(try store.put(a.id, a.bytes) == .alreadyPresent)
            #expect(try store.delete(a.id))
            #expect(store.usage == ChunkStoreUsage(used: 400, capacity: 1000, count: 1))
            #expect(try store.put(b.id, b.bytes) == .stored)
            #expect(store.usage == ChunkStoreUsage(used: 900, capacity: 1000, count: 2))
        }
    }

    @Test func deleteRemovesRowAndAccounting() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 5, size: 777)
            try store.put(id, bytes)
            #expect(try store.delete(id))
            #expect(try store.location(of: id) == nil)
            #expect(try store.has([id]) == [false])
            #expect(store.usage.count == 0 && store.usage.used == 0)
            let error = #expect(throws: ChunkStoreError.self) { try store.get(id) }
            #expect(error?.code == .notFound)
            #expect(error?.isMissing == true)
            #expect(try store.delete(id) == false)
        }
    }

    @Test func corruptChunkIsQuarantinedAndReportedMissing() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let (id, bytes) = makeChunk(seed: 6, size: 4096)
            let (other, otherBytes) = makeChunk(seed: 7, size: 100)
            try store.put(id, bytes)
            try store.put(other, otherBytes)
            try store.flipByte(of: id, at: 1234)

            let error = #expect(throws: ChunkStoreError.self) { try store.get(id) }
            #expect(error?.code == .corrupt)
            #expect(error?.isMissing == true)
            #expect(try store.location(of: id) == nil)
            let quarantined = try store.quarantinedFiles()
            #expect(quarantined.count == 1)
            #expect(quarantined.first?.hasPrefix(id.hex) == true)
            #expect(try store.has([id, other]) == [false, true])
            #expect(store.usage == ChunkStoreUsage(used: 100, capacity: 1 << 20, count: 1))
            #expect(try store.bytesOrNil(id) == nil)
            // A replica's copy repairs it.
            #expect(try store.put(id, bytes) == .stored)
            #expect(try store.get(id) == bytes)
        }
    }

    @Test func secondOpenOfSameRootIsRefused() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let error = #expect(throws: ChunkStoreError.self) {
                _ = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            }
            #expect(error?.code == .locked)
            try store.close()
            let reopened = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            try reopened.close()
        }
    }

    @Test func closedStoreRefusesWork() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            try store.close()
            try store.close()
            let (id, bytes) = makeChunk(seed: 8, size: 10)
            #expect(throws: ChunkStoreError.self) { try store.put(id, bytes) }
        }
    }
}
