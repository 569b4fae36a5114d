@testable import ChunkStore
import Foundation
import GRDB
import Testing

/// Open after damage a crash (or someone else) can leave: segment tails, rows that lost their
/// bytes, strays, and a store of layout 1 to move into segments.
@Suite("ChunkStore recovery")
struct ChunkStoreRecoveryTests {
    static let firstSegment = "/segments/00000001.seg"

    @Test func aSyncedTailIsIndexedAndATornOneCut() throws {
        try withTemporaryDirectory { root in
            let kept = makeChunk(seed: 1, size: 500)
            let lostCommit = makeChunk(seed: 2, size: 600)
            let torn = makeChunk(seed: 3, size: 5000)
            do {
                let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
                try store.put(kept.id, kept.bytes)
                try store.put(lostCommit.id, lostCommit.bytes)
            }
            // As if a power cut lost the second commit after its segment was synced...
            let database = try DatabaseQueue(path: root + "/index.sqlite")
            try database.write { db in
                try db.execute(sql: "DELETE FROM chunk WHERE id = ?", arguments: [lostCommit.id])
                try db.execute(sql: "UPDATE segment SET indexed_end = ?", arguments: [SegmentRecord.headerSize + 500])
            }
            try database.close()
            // ...and a third batch was cut short while being written.
            let segment = root + Self.firstSegment
            let handle = try #require(FileHandle(forWritingAtPath: segment))
            try handle.seekToEnd()
            try handle.write(contentsOf: SegmentRecord(id: torn.id, length: torn.bytes.count).header + torn.bytes[..<2000])
            try handle.close()
            let syncedEnd = UInt64(2 * SegmentRecord.headerSize + 1100)
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: root + "/tmp/leftover.tmp"))
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: root + "/segments/stray-name"))

            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            #expect(try store.has([kept.id, lostCommit.id, torn.id]) == [true, true, false])
            #expect(try store.get(lostCommit.id) == lostCommit.bytes)
            #expect(store.usage == ChunkStoreUsage(used: 1100, capacity: 1 << 20, count: 2))
            #expect(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? UInt64 == syncedEnd)
            #expect(try store.temporaryFiles().isEmpty)
            #expect(try store.quarantinedFiles().count == 1)
            #expect(try store.integrityCheck() == ["ok"])
            // New writes go where the torn one was.
            #expect(try store.put(torn.id, torn.bytes) == .stored)
            #expect(try store.location(of: torn.id)?.offset == syncedEnd + UInt64(SegmentRecord.headerSize))
            #expect(try store.get(torn.id) == torn.bytes)
        }
    }

    @Test func largeBatchesAreAlignedAndTheirPaddingIsSkippedWhenReindexing() throws {
        try withTemporaryDirectory { root in
            let chunks = [makeChunk(seed: 6, size: 500), makeChunk(seed: 7, size: 300_000), makeChunk(seed: 8, size: 700)]
            do {
                let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
                for chunk in chunks { try store.put(chunk.id, chunk.bytes) }
                // The large chunk went out as a batch of its own with direct I/O: its record
                // starts on a boundary, after a padding record.
                let large = try #require(try store.location(of: chunks[1].id))
                #expect((large.offset - UInt64(SegmentRecord.headerSize)) % UInt64(SegmentRecord.alignment) == 0)
                #expect(try store.location(of: chunks[2].id)!.offset % UInt64(SegmentRecord.alignment) == UInt64(SegmentRecord.headerSize))
            }
            // Every commit lost: open re-indexes the whole segment, padding and all.
            let database = try DatabaseQueue(path: root + "/index.sqlite")
            try database.write { db in
                try db.execute(sql: "DELETE FROM chunk")
                try db.execute(sql: "UPDATE segment SET indexed_end = 0")
            }
            try database.close()
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            for chunk in chunks { #expect(try store.get(chunk.id) == chunk.bytes) }
            #expect(store.usage.count == 3)
            #expect(try store.quarantinedFiles().isEmpty)
        }
    }

    @Test func rowsPastASegmentCutFromOutsideAreDropped() throws {
        try withTemporaryDirectory { root in
            let first = makeChunk(seed: 4, size: 700)
            let second = makeChunk(seed: 5, size: 800)
            do {
                let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
                try store.put(first.id, first.bytes)
                try store.put(second.id, second.bytes)
                try store.close()
            }
            #expect(truncate(root + Self.firstSegment, off_t(SegmentRecord.headerSize * 2 + 700 + 100)) == 0)
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            #expect(try store.has([first.id, second.id]) == [true, false])
            #expect(store.usage == ChunkStoreUsage(used: 700, capacity: 1 << 20, count: 1))
            #expect(try store.put(second.id, second.bytes) == .stored)
            #expect(try store.get(second.id) == second.bytes)
            #expect(try store.get(first.id) == first.bytes)
        }
    }

    @Test func aStoreOfLayoutOneIsMovedIntoSegments() throws {
        try withTemporaryDirectory { root in
            let chunks = (0..<30).map { makeChunk(seed: UInt64(10 + $0), size: 100 * $0) }
            let damaged = makeChunk(seed: 50, size: 900)
            let rowWithoutFile = makeChunk(seed: 51, size: 300)
            let peer = Data(repeating: 7, count: 32)
            // A store as layout 1 left it: schema up to v3, one file per chunk.
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let database = try DatabaseQueue(path: root + "/index.sqlite")
            try ChunkStoreSchema.migrator.migrate(database, upTo: "v3: record endorsements")
            let layout = ChunkLayout(root: root)
            try database.write { db in
                for chunk in chunks + [damaged, rowWithoutFile] {
                    try ChunkRecord(id: chunk.id, size: Int64(chunk.bytes.count), storedAt: Date()).insert(db)
                }
                try HintRecord(chunkID: chunks[3].id, peerID: peer, createdAt: Date()).insert(db)
            }
            try database.close()
            for chunk in chunks + [damaged] {
                let path = layout.legacyPath(chunk.id)
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let bytes = chunk.id == damaged.id ? Array(chunk.bytes.reversed()) : chunk.bytes
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }

            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            for chunk in chunks {
                #expect(try store.get(chunk.id) == chunk.bytes)
                #expect(try store.location(of: chunk.id)?.path == root + Self.firstSegment)
            }
            #expect(try store.has([damaged.id, rowWithoutFile.id]) == [false, false])
            #expect(store.usage.count == 30)
            #expect(try store.hints(for: peer).map(\.chunkID) == [chunks[3].id])
            #expect(!FileManager.default.fileExists(atPath: root + "/chunks"))
            #expect(try store.quarantinedFiles().count == 1)
            #expect(try store.integrityCheck() == ["ok"])
            try store.close()
            let reopened = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            #expect(reopened.usage.count == 30)
        }
    }

    /// An index kept in memory writes no database file, and every open finds it empty: the
    /// segments alone give every chunk back, as after losing the whole index.
    @Test func anIndexInMemoryLeavesNoDatabaseFileAndIsRebuiltFromTheSegments() throws {
        try withTemporaryDirectory { root in
            var configuration = ChunkStoreConfiguration(capacity: 1 << 30)
            configuration.indexInMemory = true
            let chunks = (0..<20).map { makeChunk(seed: UInt64(100 + $0), size: 1000 + $0) }
            do {
                let store = try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
                for chunk in chunks { try store.put(chunk.id, chunk.bytes) }
                try store.close()
            }
            #expect(filesUnder(root).filter { $0.contains("sqlite") }.isEmpty)
            let store = try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
            defer { try? store.close() }
            #expect(store.usage.count == chunks.count)
            #expect(store.usage.used == UInt64(chunks.map(\.bytes.count).reduce(0, +)))
            for chunk in chunks { #expect(try store.get(chunk.id) == chunk.bytes) }
        }
    }
}
