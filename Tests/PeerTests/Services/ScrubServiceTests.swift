import Content
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
}
