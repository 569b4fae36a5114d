import Content
import Foundation
import Logging
@testable import Peer
import Testing
import TestSupport

/// The chunk cache alone, on a real directory: bound, LRU order across a restart, pins,
/// and bytes that no longer match their id.
@Suite struct ChunkCacheTests {
    static func chunk(_ seed: UInt8, size: Int = 1000) -> (ChunkID, [UInt8]) {
        let bytes = [UInt8](repeating: seed, count: size)
        return (ChunkID(hashing: bytes), bytes)
    }

    @Test func leastRecentlyUsedChunksGoPastTheBoundAndTheOrderSurvivesARestart() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let chunks = (0..<10).map { Self.chunk(UInt8($0)) }
        let cache = try ChunkCache(directory: directory, capacity: 5_000, logger: Logger(label: "test"))
        for (id, bytes) in chunks.prefix(5) { cache.insert(id, bytes) }
        #expect(cache.get(chunks[0].0) == chunks[0].1, "a hit makes chunk 0 the most recent")
        cache.insert(chunks[5].0, chunks[5].1)  // past the bound: down to 90 %
        #expect(cache.get(chunks[1].0) == nil, "the least recently used went first")
        #expect(cache.get(chunks[0].0) == chunks[0].1)
        #expect(cache.status.usedBytes <= 5_000)

        let reopened = try ChunkCache(directory: directory, capacity: 5_000, logger: Logger(label: "test"))
        #expect(reopened.status.chunks == cache.status.chunks && reopened.get(chunks[5].0) == chunks[5].1)
    }

    @Test func pinsStayWhateverTheBoundAndNeverMakeTheCacheThrash() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try ChunkCache(directory: directory, capacity: 3_000, logger: Logger(label: "test"))
        let pinned = (0..<5).map { Self.chunk(UInt8($0)) }
        try cache.pin("p2p1:tree", ids: pinned.map(\.0))
        for (id, bytes) in pinned { cache.insert(id, bytes) }
        let others = (10..<13).map { Self.chunk(UInt8($0)) }
        for (id, bytes) in others { cache.insert(id, bytes) }
        for (id, bytes) in pinned { #expect(cache.get(id) == bytes, "pinned chunks stay past the bound") }
        #expect(cache.get(others[2].0) == others[2].1, "the newest unpinned chunk stays: pins do not count against the bound")
        #expect(cache.clear().chunks >= 1)
        for (id, bytes) in pinned { #expect(cache.get(id) == bytes, "clear keeps pins") }

        let reopened = try ChunkCache(directory: directory, capacity: 3_000, logger: Logger(label: "test"))
        #expect(reopened.status.pinnedFiles == ["p2p1:tree"] && reopened.status.pinnedChunks == 5)
        #expect(try reopened.unpin("p2p1:tree")?.chunks == 5)
        #expect(try reopened.unpin("p2p1:tree") == nil)
        #expect(reopened.status.usedBytes <= 3_000, "unpinned, they are evicted to the bound")
    }

    @Test func bytesThatNoLongerMatchTheirIdAreDroppedNotServed() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = try ChunkCache(directory: directory, capacity: 1 << 20, logger: Logger(label: "test"))
        let (id, bytes) = Self.chunk(7)
        cache.insert(id, bytes)
        var damaged = bytes
        damaged[500] ^= 1
        try Data(damaged).write(to: URL(fileURLWithPath: directory + "/" + id.description))
        #expect(cache.get(id) == nil)
        #expect(cache.status.corrupt == 1 && cache.status.chunks == 0)
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + id.description))
        // Stray files (a write cut short) are removed at open.
        #expect(FileManager.default.createFile(atPath: directory + "/junk.tmp", contents: Data([1])))
        _ = try ChunkCache(directory: directory, capacity: 1 << 20, logger: Logger(label: "test"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/junk.tmp"))
    }
}
