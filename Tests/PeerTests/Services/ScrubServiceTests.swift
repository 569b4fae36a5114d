import ChunkStore
import Content
import Foundation
import Logging
import Metrics
import OpenSSLKit
import Testing
@testable import Peer

/// Scrub on fake peers: a batch re-hashes every chunk due, a corrupt copy this peer owns is
/// fetched again from a replica and counted, a corrupt copy it does not own is only dropped,
/// the copy fetched again is verified in the next batch, and once everything is fresh the
/// worker idles instead of spinning.
@Suite struct ScrubServiceTests {
    @Test func aCorruptOwnedChunkIsFetchedAgainAndTheWorkerThenIdles() async throws {
        let ring = FakeRing(peers: 4)
        let snapshot = ring.snapshot(self: 0)
        let chunks = try (0..<40).map { _ in try SecureRandom.bytes(count: 300) }
        let owned = try #require(chunks.first { ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) })
        let stray = try #require(chunks.first { !ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) })
        for bytes in [owned, stray] {
            let id = ChunkID(hashing: bytes)
            try await ring.stores[0].put(id, bytes)
            for owner in ring.owners(of: id, in: snapshot) where owner != 0 { try await ring.stores[owner].put(id, bytes) }
        }
        ring.stores[0].corrupt(ChunkID(hashing: owned))
        ring.stores[0].corrupt(ChunkID(hashing: stray))

        let ledger = DurabilityLedger()
        let pace = try await withBackground { background in
            let placement = Placement(snapshot)
            let reader = ReplicatedReader(
                placement: placement, local: ring.stores[0], calls: ring.network.peer(ring.ids[0]), background: background,
                logger: Logger(label: "test"), timeout: .seconds(5), hedgeDelay: .seconds(5))
            let scrub = ScrubService(
                placement: placement, local: ring.stores[0], reader: reader, settings: RepairConfiguration(scrubBytesPerSecond: 0),
                ledger: ledger, metrics: NodeMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "test"))
            #expect(try await scrub.work() == .busy)
            // The copy fetched again is verified once more, then nothing is due.
            #expect(try await scrub.work() == .busy)
            return try await scrub.work()
        }
        let figures = ledger.current
        #expect(figures.scrubbed == 3 && figures.corruptFound == 2 && figures.corruptRepaired == 1)
        #expect(try await ring.stores[0].get(ChunkID(hashing: owned)) == owned)
        #expect(try await ring.stores[0].get(ChunkID(hashing: stray)) == nil)
        // Everything left was just verified: the next batch idles until it is due again.
        guard case .idle = pace else {
            Issue.record("a scrub with nothing due asked to run again at once")
            return
        }
    }

    /// Scrub and garbage collection (docs/gc.md): a chunk the sweep collects after the batch
    /// was listed is not "vanished" and fetched back, a corrupt one whose leases all ended is
    /// not fetched back either (either would come back with a provisional lease, for a
    /// month), and a corrupt one still leased comes back with its leases.
    @Test func scrubNeverBringsBackWhatTheSweepCollectsAndKeepsTheLeasesOfWhatItRepairs() async throws {
        let ring = FakeRing(peers: 4)
        let snapshot = ring.snapshot(self: 0)
        let chunks = try (0..<60).map { _ in try SecureRandom.bytes(count: 300) }
        let owned = chunks.filter { ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) }
        try #require(owned.count >= 3)
        let (leased, ended, collected) = (owned[0], owned[1], owned[2])
        let owner = Data(repeating: 0xA1, count: 32)
        let live = ChunkLease(owner: owner, expiry: Date().addingTimeInterval(3600))!
        let past = ChunkLease(owner: owner, expiry: Date().addingTimeInterval(-60))!
        for (bytes, lease) in [(leased, live), (ended, past), (collected, past)] {
            let id = ChunkID(hashing: bytes)
            for index in ring.owners(of: id, in: snapshot) { try await ring.stores[index].put(id, bytes, leases: [lease]) }
        }
        ring.stores[0].corrupt(ChunkID(hashing: leased))
        ring.stores[0].corrupt(ChunkID(hashing: ended))
        let store = ring.stores[0]
        // The sweep collects it between the listing of the batch and its verification.
        let collectedID = ChunkID(hashing: collected)
        store.beforeVerify.withLock { hook in
            hook = { id in if id == collectedID { store.forget(id) } }
        }

        let ledger = DurabilityLedger()
        _ = try await withBackground { background in
            let placement = Placement(snapshot)
            let reader = ReplicatedReader(
                placement: placement, local: store, calls: ring.network.peer(ring.ids[0]), background: background,
                logger: Logger(label: "test"), timeout: .seconds(5), hedgeDelay: .seconds(5))
            let scrub = ScrubService(
                placement: placement, local: store, reader: reader, settings: RepairConfiguration(scrubBytesPerSecond: 0),
                ledger: ledger, metrics: NodeMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "test"))
            return try await scrub.work()
        }
        let figures = ledger.current
        #expect(figures.scrubbed == 2 && figures.corruptFound == 2 && figures.corruptRepaired == 1, "\(figures)")
        #expect(try await store.get(ChunkID(hashing: leased)) == leased)
        #expect(try await store.leases(of: ChunkID(hashing: leased)).map(\.owner) == [owner], "repaired with its lease")
        #expect(try await store.get(ChunkID(hashing: ended)) == nil, "garbage is not fetched back")
        #expect(try await store.get(collectedID) == nil, "what the sweep collected stays collected")
    }
}
