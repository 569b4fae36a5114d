import ChunkStore
import Foundation
import GRDB
import Testing

@Suite("ChunkStore index and metadata")
struct ChunkStoreIndexTests {
    @Test func ringScanIsInRingOrderAndPages() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 30, logger: quietLogger)
            let chunks = (0..<60).map { makeChunk(seed: UInt64(100 + $0), size: 64) }
            for chunk in chunks { try store.put(chunk.id, chunk.bytes) }
            let sorted = chunks.map(\.id).sorted()

            let all = try store.chunks(limit: 1000).map(\.id)
            #expect(all == sorted)
            #expect(try store.chunks(limit: 1000).map(\.ringPosition) == sorted.map(\.ringPosition))

            var paged: [StoredChunkID] = []
            var cursor: StoredChunkID?
            while true {
                let page = try store.chunks(after: cursor, limit: 7).map(\.id)
                if page.isEmpty { break }
                paged += page
                cursor = page.last
            }
            #expect(paged == sorted)

            // A wrapping arc: from 3/4 of the ring through zero to 1/4.
            let arc = RingRange(start: 0xC000_0000_0000_0000, end: 0x4000_0000_0000_0000)
            let expected =
                sorted.filter { $0.ringPosition >= arc.start } + sorted.filter { $0.ringPosition < arc.end }
            #expect(try store.chunks(in: arc, limit: 1000).map(\.id) == expected)
            var pagedArc: [StoredChunkID] = []
            cursor = nil
            while true {
                let page = try store.chunks(in: arc, after: cursor, limit: 4).map(\.id)
                if page.isEmpty { break }
                pagedArc += page
                cursor = page.last
            }
            #expect(pagedArc == expected)

            let plain = RingRange(start: 0x4000_0000_0000_0000, end: 0xC000_0000_0000_0000)
            #expect(try store.chunks(in: plain, limit: 1000).map(\.id) == sorted.filter { plain.contains($0.ringPosition) })
            #expect(try store.chunks(in: plain, limit: 3).count == 3)
        }
    }

    @Test func ringPositionIsBigEndianPrefix() {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = 0x80
        bytes[7] = 0x01
        #expect(StoredChunkID(bytes: bytes)?.ringPosition == 0x8000_0000_0000_0001)
        #expect(StoredChunkID(bytes: [1, 2, 3]) == nil)
        #expect(StoredChunkID(hex: String(repeating: "ab", count: 32))?.bytes == [UInt8](repeating: 0xAB, count: 32))
    }

    @Test func verificationTimesOrderTheScrub() throws {
        try withTemporaryDirectory { root in
            let clockStart = Date(timeIntervalSince1970: 1_700_000_000)
            let configuration = ChunkStoreConfiguration(capacity: 1 << 20, clock: { clockStart })
            let store = try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
            let a = makeChunk(seed: 1, size: 10)
            let b = makeChunk(seed: 2, size: 10)
            let c = makeChunk(seed: 3, size: 10)
            for chunk in [a, b, c] { try store.put(chunk.id, chunk.bytes) }
            try store.markVerified(a.id, at: clockStart.addingTimeInterval(20))
            try store.markVerified(b.id, at: clockStart.addingTimeInterval(10))
            #expect(try store.leastRecentlyVerified(limit: 3) == [c.id, b.id, a.id])
            #expect(try store.verify(c.id) == .intact)
            #expect(try store.record(c.id)?.lastVerified == clockStart)
            #expect(try store.record(a.id)?.lastVerified == clockStart.addingTimeInterval(20))
            #expect(try store.record(a.id)?.storedAt == clockStart)

            let owner = Data(repeating: 7, count: 32)
            let absent = makeChunk(seed: 9, size: 1).id
            #expect(try store.renewLeases([a.id, absent], owner: owner, until: clockStart.addingTimeInterval(3600)) == [true, false])
            // Stored without a lease, the chunk holds a provisional one beside the renewed one.
            #expect(try store.leases(of: a.id).map(\.owner) == [owner, ChunkLease.provisionalOwner])
            #expect(try store.leases(of: a.id).first == ChunkLease(owner: owner, expiry: clockStart.addingTimeInterval(3600))!)
        }
    }

    @Test func hintsFollowTheirChunks() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let peerA = Data(repeating: 0xAA, count: 32)
            let peerB = Data(repeating: 0xBB, count: 32)
            let x = makeChunk(seed: 1, size: 10)
            let y = makeChunk(seed: 2, size: 10)
            try store.put(x.id, x.bytes)
            try store.put(y.id, y.bytes)
            try store.addHint(chunk: x.id, peer: peerA, at: Date(timeIntervalSince1970: 1))
            try store.addHint(chunk: y.id, peer: peerA, at: Date(timeIntervalSince1970: 2))
            try store.addHint(chunk: x.id, peer: peerB, at: Date(timeIntervalSince1970: 3))
            try store.addHint(chunk: x.id, peer: peerA, at: Date(timeIntervalSince1970: 9))

            let forA = try store.hints(for: peerA)
            #expect(forA.map(\.chunkID) == [x.id, y.id])
            #expect(forA.first?.createdAt == Date(timeIntervalSince1970: 1))
            #expect(try store.allHints().count == 3)
            #expect(try store.hintCount() == 3)
            #expect(try store.removeHint(chunk: y.id, peer: peerA))
            #expect(try store.removeHint(chunk: y.id, peer: peerA) == false)
            // A hint must name a stored chunk, and deleting the chunk deletes its hints.
            let error = #expect(throws: ChunkStoreError.self) {
                try store.addHint(chunk: makeChunk(seed: 3, size: 1).id, peer: peerA)
            }
            #expect(error?.code == .database)
            try store.delete(x.id)
            #expect(try store.allHints().isEmpty)
            #expect(try store.hintCount() == 0)
        }
    }

    @Test func peersAreUpsertedAndListed() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let id1 = Data(repeating: 1, count: 32)
            let id2 = Data(repeating: 2, count: 32)
            var first = PeerRecord(
                nodeID: id1, address: "10.0.0.1:7000", zone: "a", capacity: 1 << 30, incarnation: 0, state: .alive,
                lastSeen: Date(timeIntervalSince1970: 5))
            try store.upsertPeer(first)
            try store.upsertPeer(
                PeerRecord(nodeID: id2, address: "10.0.0.2:7000", capacity: 1 << 20, incarnation: 3, state: .suspect))
            first.incarnation = 4
            first.state = .dead
            try store.upsertPeer(first)
            #expect(try store.peers() == [first, try #require(try store.peer(id2))])
            #expect(try store.peer(id1) == first)
            #expect(try store.peer(id2)?.zone == "")
            #expect(try store.removePeer(id2))
            #expect(try store.peers().count == 1)
            // The schema refuses a malformed NodeID.
            #expect(throws: ChunkStoreError.self) {
                try store.upsertPeer(PeerRecord(nodeID: Data([1]), address: "x:1", capacity: 0, incarnation: 0, state: .alive))
            }
        }
    }

    @Test func reopenKeepsEverything() throws {
        try withTemporaryDirectory { root in
            let chunks = (0..<20).map { makeChunk(seed: UInt64($0), size: 1000 + $0) }
            do {
                let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
                for chunk in chunks { try store.put(chunk.id, chunk.bytes) }
                try store.close()
            }
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            #expect(store.usage.count == 20)
            #expect(store.usage.used == UInt64(chunks.reduce(0) { $0 + $1.bytes.count }))
            for chunk in chunks { #expect(try store.get(chunk.id) == chunk.bytes) }
        }
    }

    @Test func unknownLayoutVersionIsRefusedAndReleasesTheLock() throws {
        try withTemporaryDirectory { root in
            try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger).close()
            let database = try DatabaseQueue(path: root + "/index.sqlite")
            try database.write { db in try db.execute(sql: "UPDATE meta SET value = '99' WHERE key = 'layout_version'") }
            try database.close()

            let error = #expect(throws: ChunkStoreError.self) {
                _ = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            }
            #expect(error?.code == .invalidLayout)
            // The failed open released its lock: the only error now is still the layout.
            let again = #expect(throws: ChunkStoreError.self) {
                _ = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            }
            #expect(again?.code == .invalidLayout)
        }
    }
}
