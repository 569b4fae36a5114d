import Content
import Foundation
import Logging
import Testing
import Transport
import Workers
@testable import Peer

/// The write path on fake peers: W acknowledgements end a put, the other copies follow in
/// the background, a down replica's copy goes to a stand-in with a hint, and a write that
/// cannot reach W names every peer that failed and why.
@Suite struct ReplicatedWriterTests {
    static let logger = Logger(label: "test")

    static func writer(_ ring: FakeRing, down: Set<Int> = [], background: BackgroundTasks) -> ReplicatedWriter {
        ReplicatedWriter(
            placement: Placement(ring.snapshot(self: nil, down: down)), local: MemoryChunks(), calls: ring.network.peer(ring.ids[0]),
            background: background, logger: logger, timeout: .seconds(5))
    }

    @Test func aPutReachesEveryReplicaOnceTheBackgroundCopiesEnd() async throws {
        let ring = FakeRing(peers: 5)
        let bytes = Array("some ciphertext".utf8)
        let id = ChunkID(hashing: bytes)
        try await withBackground { background in
            try await Self.writer(ring, background: background).store(id: id, bytes: bytes)
            let holding = ring.stores.filter { $0.ids.contains(id) }.count
            #expect(holding >= 2, "returned before W = 2 copies were stored")
        }
        let owners = ring.owners(of: id, in: ring.snapshot(self: nil))
        #expect(ring.stores.indices.filter { ring.stores[$0].ids.contains(id) } == owners.sorted())
    }

    @Test func aDownReplicasCopyGoesToAStandInWithAHint() async throws {
        let ring = FakeRing(peers: 5)
        let bytes = Array("hinted".utf8)
        let id = ChunkID(hashing: bytes)
        let owners = ring.owners(of: id, in: ring.snapshot(self: nil))
        let down = owners[1]
        ring.setDown([down])
        try await withBackground { background in
            try await Self.writer(ring, down: [down], background: background).store(id: id, bytes: bytes)
        }
        let standIn = try #require(ring.stores.indices.first { !owners.contains($0) && ring.stores[$0].ids.contains(id) })
        let hints = try await ring.stores[standIn].hints(for: Data(ring.ids[down].bytes), limit: 10)
        #expect(hints.map(\.chunkID.bytes) == [id.bytes])
        #expect(!ring.stores[down].ids.contains(id))
    }

    @Test func aQuorumNotMetNamesEveryFailedPeer() async throws {
        let ring = FakeRing(peers: 3)
        let bytes = Array("nowhere".utf8)
        let id = ChunkID(hashing: bytes)
        let owners = ring.owners(of: id, in: ring.snapshot(self: nil))
        // Up in the placement, so each is tried and fails on the network.
        ring.setDown([owners[0], owners[2]])
        let error = await withBackground { background in
            await #expect(throws: DataPathError.self) { try await Self.writer(ring, background: background).store(id: id, bytes: bytes) }
        }
        guard case .quorumNotMet(_, let acknowledged, let required, let failures) = error else {
            Issue.record("expected quorumNotMet, got \(String(describing: error))")
            return
        }
        #expect(acknowledged == 1 && required == 2)
        #expect(Set(failures.map(\.peer)) == [ring.ids[owners[0]], ring.ids[owners[2]]])
        #expect(failures.allSatisfy { "\($0.error)".contains("closed") })
    }

    @Test func aWriteAfterTheNodeStoppedFailsWithoutSendingAnything() async throws {
        let ring = FakeRing(peers: 3)
        let background = BackgroundTasks()
        background.finish()
        let bytes = Array("late".utf8)
        await #expect(throws: DataPathError.self) {
            try await Self.writer(ring, background: background).store(id: ChunkID(hashing: bytes), bytes: bytes)
        }
        #expect(ring.network.calls.withLock { $0.isEmpty })
    }
}
