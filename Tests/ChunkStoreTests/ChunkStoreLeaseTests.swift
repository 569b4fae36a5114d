import ChunkStore
import Foundation
import Synchronization
import Testing
import TestSupport

/// Leases and collection in the store (docs/gc.md), on a clock the test moves.
@Suite struct ChunkStoreLeaseTests {
    /// A clock that stands still until the test moves it.
    final class TestClock: Sendable {
        private let now: Mutex<Date>
        init(_ start: Date) { now = Mutex(start) }
        var date: Date { now.withLock { $0 } }
        func set(_ date: Date) { now.withLock { $0 = date } }
    }

    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let ownerA = Data(repeating: 0xA1, count: 32)
    let ownerB = Data(repeating: 0xB2, count: 32)

    func lease(_ owner: Data, _ seconds: TimeInterval) -> ChunkLease {
        ChunkLease(owner: owner, expiry: start.addingTimeInterval(seconds))!
    }

    /// A store on `clock`, its index in memory unless the test reopens it or races a put
    /// against a sweep (there the pool's concurrent readers are part of what is tested).
    func openStore(_ root: String, clock: TestClock, indexInMemory: Bool = true) throws -> ChunkStore {
        var configuration = ChunkStoreConfiguration(capacity: 1 << 30, clock: { clock.date })
        configuration.indexInMemory = indexInMemory
        return try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
    }

    @Test func theLedgerReleasesOnlyChunksNoOtherFileUsesAndForgetsLateReleasesOfReusedOnes() throws {
        try withTemporaryDirectory { root in
            let store = try openStore(root, clock: TestClock(start))
            let shared = makeChunk(seed: 1, size: 10).id, onlyA = makeChunk(seed: 2, size: 10).id, onlyB = makeChunk(seed: 3, size: 10).id
            let fileA = OwnedFile(capability: "p2p1:a", size: 20, storedAt: start, source: "put")
            let fileB = OwnedFile(capability: "p2p1:b", size: 20, storedAt: start.addingTimeInterval(1), source: "put")
            try store.recordOwnedFile(fileA, chunks: [shared, onlyA, onlyA])
            try store.recordOwnedFile(fileB, chunks: [shared, onlyB])
            #expect(try store.ownedFiles() == [fileA, fileB])
            #expect(Set(try store.ownedChunks(after: nil, limit: 10)) == [shared, onlyA, onlyB])
            #expect(try store.removeOwnedFile(capability: "p2p1:a") == [onlyA])
            #expect(try store.removeOwnedFile(capability: "p2p1:a") == nil)
            #expect(try store.ownedFiles() == [fileB])

            // A release a peer missed waits; storing one of its chunks again cancels that part.
            let peer = Data(repeating: 5, count: 32)
            try store.addPendingReleases([onlyA, onlyB], peer: peer)
            #expect(Set(try store.pendingReleases(limit: 10)[peer] ?? []) == [onlyA, onlyB])
            try store.recordOwnedFile(OwnedFile(capability: "p2p1:c", size: 10, storedAt: start, source: "put"), chunks: [onlyA])
            #expect(try store.pendingReleases(limit: 10)[peer] == [onlyB])
            try store.removePendingReleases([onlyB], peer: peer)
            #expect(try store.pendingReleases(limit: 10).isEmpty)
        }
    }

    /// A capability stored with `put` and kept by a synced folder is two rows: removing one
    /// source's claim releases nothing the other still uses.
    @Test func aPutAndAFolderVersionOfOneFileAreSeparateClaims() throws {
        try withTemporaryDirectory { root in
            let store = try openStore(root, clock: TestClock(start))
            let one = makeChunk(seed: 1, size: 10).id, two = makeChunk(seed: 2, size: 10).id
            let folder = OwnedFile.folderSource("0123456789abcdef")
            try store.recordOwnedFile(OwnedFile(capability: "p2p1:x", size: 20, storedAt: start, source: OwnedFile.putSource), chunks: [one, two])
            try store.recordOwnedFiles([
                (OwnedFile(capability: "p2p1:x", size: 20, storedAt: start, source: folder), [one, two]),
                (OwnedFile(capability: "p2p1:y", size: 10, storedAt: start, source: folder), [two]),
            ])
            #expect(try store.ownedFiles().count == 3)
            #expect(try store.ownedCapabilities(source: folder) == ["p2p1:x", "p2p1:y"])
            #expect(try store.removeOwnedFile(capability: "p2p1:x") == [])
            #expect(try store.removeOwnedFile(capability: "p2p1:y") == nil)
            let removal = try store.removeOwnedFiles(capabilities: ["p2p1:x", "p2p1:unknown"], sources: [folder])
            #expect(removal.removed == 1 && removal.orphans == [one])
            #expect(try store.removeOwnedFiles(capabilities: ["p2p1:y"], sources: [folder]).orphans == [two])
            #expect(try store.ownedFiles().isEmpty)
        }
    }

    /// What an admitted peer may do with leases of its own cannot shorten anyone else's: a
    /// renewal and release of its own lease leaves the provisional one, and leases of made-up
    /// owners past the cap fold into a row that no peer can release.
    @Test func aPeersOwnLeasesCannotShortenOthersOrGrowTheTableWithoutBound() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock)
            let unleased = makeChunk(seed: 1, size: 100), crowded = makeChunk(seed: 2, size: 100)
            try store.put(unleased.id, unleased.bytes)
            #expect(try store.renewLeases([unleased.id], owner: ownerB, until: start.addingTimeInterval(1)) == [true])
            #expect(try store.releaseLeases([unleased.id], owner: ownerB) == 1)
            clock.set(start.addingTimeInterval(3600))
            #expect(try store.collect(grace: 5, limit: 10).chunks == 0, "the provisional lease still holds")

            try store.put(crowded.id, crowded.bytes, leases: [lease(ownerA, 86_400)])
            let fakes = (0..<70).map { Data(repeating: UInt8($0), count: 31) + [0xEE] }
            for fake in fakes { _ = try store.renewLeases([crowded.id], owner: fake, until: start.addingTimeInterval(10 * 86_400)) }
            let held = try store.leases(of: crowded.id)
            #expect(held.count <= 65 && held.contains { $0.owner == ChunkLease.provisionalOwner })
            for fake in fakes { try store.releaseLeases([crowded.id], owner: fake) }
            #expect(try store.releaseLeases([crowded.id], owner: ownerA) == 1)
            clock.set(start.addingTimeInterval(9 * 86_400))
            #expect(try store.collect(grace: 5, limit: 10).chunks == 0, "the folded leases still hold")
            #expect(try store.has([crowded.id]) == [true])
        }
    }

    @Test func aChunkIsCollectedOnlyAGraceAfterItsLastLeaseEnded() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock)
            let once = makeChunk(seed: 1, size: 1000)
            let shared = makeChunk(seed: 2, size: 2000)
            let unleased = makeChunk(seed: 3, size: 3000)
            try store.put(once.id, once.bytes, leases: [lease(ownerA, 10)])
            try store.put(shared.id, shared.bytes, leases: [lease(ownerA, 10)])
            // A second owner's put of stored content takes its own lease.
            #expect(try store.put(shared.id, shared.bytes, leases: [lease(ownerB, 100)]) == .alreadyPresent)
            try store.put(unleased.id, unleased.bytes)

            clock.set(start.addingTimeInterval(14))
            // `hasChunks` tells a copy a lease keeps from one waiting for the sweep.
            #expect(try store.holdings([once.id, shared.id, unleased.id, makeChunk(seed: 4, size: 10).id]) == [.unleased, .leased, .leased, .absent])
            #expect(try store.collect(grace: 5, limit: 100) == CollectionReport())
            #expect(try store.leaseUsage(grace: 5) == LeaseUsage(referenced: 5000, collectable: 0, inGrace: 1000))
            clock.set(start.addingTimeInterval(16))
            #expect(try store.collect(grace: 5, limit: 100) == CollectionReport(chunks: 1, bytes: 1000))
            #expect(try store.has([once.id, shared.id, unleased.id]) == [false, true, true])
            #expect(store.usage.used == 5000)

            // Owner B removes its file: the chunk goes a grace later, not when B's lease would have ended.
            #expect(try store.releaseLeases([shared.id], owner: ownerB) == 1)
            #expect(try store.releaseLeases([shared.id], owner: ownerB) == 0)
            clock.set(start.addingTimeInterval(20))
            #expect(try store.collect(grace: 5, limit: 100).chunks == 0)
            clock.set(start.addingTimeInterval(22))
            #expect(try store.collect(grace: 5, limit: 100) == CollectionReport(chunks: 1, bytes: 2000))
            // The chunk stored without a lease is provisionally kept for a month.
            clock.set(start.addingTimeInterval(30 * 86_400))
            #expect(try store.collect(grace: 5, limit: 100).chunks == 0)
            #expect(try store.get(unleased.id) == unleased.bytes)
            #expect(try store.integrityCheck() == ["ok"])
        }
    }

    /// The race the history checker found (issue 20): a put acknowledged at W and removed at
    /// once, its third write reaching a holder only after the release did. The release is
    /// remembered there although the holder had nothing to end, and the late write of the
    /// owner does not take the lease: the chunk is garbage, not a month-long zombie.
    @Test func aWriteBeyondWThatArrivesAfterTheReleaseDoesNotReviveTheLease() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock)
            let chunk = makeChunk(seed: 8, size: 1500)
            #expect(try store.releaseLeases([chunk.id], owner: ownerA) == 0)
            clock.set(start.addingTimeInterval(3))
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 86_400)]) == .stored)
            #expect(try store.leases(of: chunk.id).isEmpty)
            clock.set(start.addingTimeInterval(10))
            #expect(try store.collect(grace: 5, limit: 100).chunks == 1)
        }
    }

    /// The zombie: owner A removed a file, and before every holder heard of it, one that had
    /// not yet copied the chunk back (repair, hinted handoff) with A's old lease. Unchecked,
    /// the copy revives the lease and spreads back to every replica for a month.
    @Test func aCopyCannotReviveALeaseItsOwnerReleasedHere() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock)
            let chunk = makeChunk(seed: 7, size: 1500)
            try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 86_400)])
            #expect(try store.releaseLeases([chunk.id], owner: ownerA) == 1)

            // Before the sweep: the copy with A's lease is taken as what it is, garbage.
            clock.set(start.addingTimeInterval(2))
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 86_400).copied]) == .alreadyPresent)
            #expect(try store.leases(of: chunk.id).isEmpty)
            clock.set(start.addingTimeInterval(10))
            #expect(try store.collect(grace: 5, limit: 100).chunks == 1)

            // After it: the copy is stored again (a put is never refused for its leases), but
            // gets neither A's lease nor a provisional one, and waits out the grace only.
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 86_400).copied]) == .stored)
            #expect(try store.leases(of: chunk.id).isEmpty)
            clock.set(start.addingTimeInterval(11))
            #expect(try store.leaseUsage(grace: 5) == LeaseUsage(referenced: 0, collectable: 0, inGrace: 1500))
            clock.set(start.addingTimeInterval(16))
            #expect(try store.collect(grace: 5, limit: 100).chunks == 1)

            // Another owner's lease on the same copy is kept: only A released it.
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 86_400).copied, lease(ownerB, 86_400).copied]) == .stored)
            #expect(try store.leases(of: chunk.id).map(\.owner) == [ownerB])
            // A's own store within a minute of its release is a write of the removed put still
            // in flight (beyond W): it does not revive the lease either.
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 100)]) == .alreadyPresent)
            #expect(try store.leases(of: chunk.id).map(\.owner) == [ownerB])
            // Later, A's own put takes it back and forgets the release: copies of A's lease count again.
            clock.set(start.addingTimeInterval(Double(ChunkStore.staleStoreWindow) / 1000 + 1))
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 100)]) == .alreadyPresent)
            #expect(try store.releaseLeases([chunk.id], owner: ownerB) == 1)
            #expect(try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 200).copied]) == .alreadyPresent)
            #expect(try store.leases(of: chunk.id).map(\.owner) == [ownerA])
            #expect(try store.leases(of: chunk.id).first?.expiry == start.addingTimeInterval(200))

            // A release is remembered for a lease length, then forgotten (every lease granted
            // before it has ended by then).
            #expect(try store.releaseLeases([chunk.id], owner: ownerA) == 1)
            clock.set(start.addingTimeInterval(ChunkLease.length + 180))
            _ = try store.collect(grace: 5, limit: 100)
            let later = ChunkLease(owner: ownerA, expiry: clock.date.addingTimeInterval(3600))!.copied
            #expect(try store.put(chunk.id, chunk.bytes, leases: [later]) == .stored)
            #expect(try store.leases(of: chunk.id).map(\.owner) == [ownerA])
            #expect(try store.integrityCheck() == ["ok"])
        }
    }

    @Test func renewalExtendsWhatIsStoredAndReportsWhatIsNot() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock)
            let kept = makeChunk(seed: 4, size: 100)
            try store.put(kept.id, kept.bytes, leases: [lease(ownerA, 10)])
            let missing = makeChunk(seed: 5, size: 100).id
            #expect(try store.renewLeases([kept.id, missing], owner: ownerA, until: start.addingTimeInterval(50)) == [true, false])
            // A renewal never shortens a lease.
            _ = try store.renewLeases([kept.id], owner: ownerA, until: start.addingTimeInterval(20))
            #expect(try store.leases(of: kept.id) == [lease(ownerA, 50)])
            clock.set(start.addingTimeInterval(54))
            #expect(try store.collect(grace: 5, limit: 10).chunks == 0)
            clock.set(start.addingTimeInterval(56))
            #expect(try store.collect(grace: 5, limit: 10).chunks == 1)
            #expect(try store.leases(of: kept.id).isEmpty)
        }
    }

    @Test func pinsAndLeasesSurviveReopening() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let pinned = makeChunk(seed: 6, size: 100)
            let leased = makeChunk(seed: 7, size: 100)
            do {
                let store = try openStore(root, clock: clock, indexInMemory: false)
                try store.put(pinned.id, pinned.bytes, leases: [ChunkLease.pin])
                try store.put(leased.id, leased.bytes, leases: [lease(ownerA, 10)])
                try store.close()
            }
            let store = try openStore(root, clock: clock, indexInMemory: false)
            #expect(try store.leases(of: leased.id) == [lease(ownerA, 10)])
            clock.set(start.addingTimeInterval(1000 * 86_400))
            #expect(try store.collect(grace: 5, limit: 10) == CollectionReport(chunks: 1, bytes: 100))
            #expect(try store.get(pinned.id) == pinned.bytes)
        }
    }

    /// The race of docs/gc.md: a put of content whose lease has run out, at the moment the
    /// sweep runs, 200 times with different interleavings. A put that returned is never
    /// collected, whichever runs first.
    @Test func aPutRacingASweepNeverLosesItsChunk() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let store = try openStore(root, clock: clock, indexInMemory: false)
            var random = SplitMix64(seed: 0x9C)
            for round in 0..<200 {
                let chunk = makeChunk(seed: 1000 + UInt64(round), size: 64 + round * 97)
                let base = start.addingTimeInterval(Double(round) * 1000)
                clock.set(base)
                try store.put(chunk.id, chunk.bytes, leases: [ChunkLease(owner: ownerA, expiry: base.addingTimeInterval(1))!])
                // The old lease ended past the grace: the chunk is collectable right now.
                clock.set(base.addingTimeInterval(10))
                let putDelay = Int(random.next() % 20_000)
                let sweepDelay = Int(random.next() % 20_000)
                let putResult = Mutex<Result<PutOutcome, ChunkStoreError>?>(nil)
                let group = DispatchGroup()
                DispatchQueue.global().async(group: group) {
                    spin(putDelay)
                    let result = Result { () throws(ChunkStoreError) in
                        try store.put(chunk.id, chunk.bytes, leases: [ChunkLease(owner: ownerB, expiry: base.addingTimeInterval(500))!])
                    }
                    putResult.withLock { $0 = result }
                }
                DispatchQueue.global().async(group: group) {
                    spin(sweepDelay)
                    _ = try? store.collect(grace: 5, limit: 10)
                }
                group.wait()
                let outcome = try #require(putResult.withLock { $0 })
                _ = try outcome.get()
                // One more sweep at the same instant: the put's lease keeps the chunk.
                _ = try store.collect(grace: 5, limit: 10)
                #expect(try store.get(chunk.id) == chunk.bytes, "round \(round)")
                #expect(try store.leases(of: chunk.id).contains { $0.owner == ownerB }, "round \(round)")
            }
            #expect(try store.integrityCheck() == ["ok"])
        }
    }
}

extension ChunkStoreLeaseTests {
    /// The dangerous window itself, without luck: a put finds its chunk stored (its old
    /// lease past the grace), then a whole sweep runs and removes it, then the put goes on.
    /// The batch checks again under the write lock and writes the bytes: the acknowledged
    /// put keeps its chunk, with its lease.
    @Test func aSweepInsideThePutsWindowDoesNotLoseTheChunk() throws {
        try withTemporaryDirectory { root in
            let clock = TestClock(start)
            let sweeper = Mutex<ChunkStore?>(nil)
            let swept = Mutex<[CollectionReport]>([])
            var configuration = ChunkStoreConfiguration(capacity: 1 << 30, clock: { clock.date })
            configuration.afterPresenceCheck = { _, present in
                guard present, let store = sweeper.withLock({ $0 }) else { return }
                if let report = try? store.collect(grace: 5, limit: 10) { swept.withLock { $0.append(report) } }
            }
            let store = try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
            let chunk = makeChunk(seed: 77, size: 5000)
            try store.put(chunk.id, chunk.bytes, leases: [lease(ownerA, 1)])
            clock.set(start.addingTimeInterval(10))
            sweeper.withLock { $0 = store }
            try store.put(chunk.id, chunk.bytes, leases: [lease(ownerB, 500)])
            sweeper.withLock { $0 = nil }
            #expect(swept.withLock { $0 } == [CollectionReport(chunks: 1, bytes: 5000)], "the sweep fell into the window and removed the chunk")
            #expect(try store.get(chunk.id) == chunk.bytes)
            #expect(try store.leases(of: chunk.id).map(\.owner) == [ownerB])
            #expect(try store.collect(grace: 5, limit: 10).chunks == 0)
            #expect(store.usage.used == 5000)
        }
    }
}

/// Burns roughly `iterations` steps of CPU, to shift two threads against each other.
private func spin(_ iterations: Int) {
    var value: UInt64 = 1
    for step in 0..<iterations { value = value &* 6_364_136_223_846_793_005 &+ UInt64(step) }
    if value == 42 { print("") }
}
