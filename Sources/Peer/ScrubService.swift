import ChunkStore
import Content
import Foundation
import Logging
import Workers

/// Scrub: every peer re-hashes its stored chunks, least recently verified first, at a
/// bounded byte rate. The store quarantines a chunk whose bytes no longer hash to its id;
/// scrub then fetches it again, verified, from a replica and stores it.
actor ScrubService: Worker {
    nonisolated let name = "scrub"
    let placement: Placement
    let local: any ChunkHolder
    let reader: ReplicatedReader
    let settings: RepairConfiguration
    let ledger: DurabilityLedger
    let metrics: NodeMetrics
    let logger: Logger
    /// Kept across batches: the byte rate holds over the whole walk.
    private var pacer: RatePacer

    init(
        placement: Placement, local: any ChunkHolder, reader: ReplicatedReader, settings: RepairConfiguration, ledger: DurabilityLedger,
        metrics: NodeMetrics, logger: Logger
    ) {
        self.placement = placement
        self.local = local
        self.reader = reader
        self.settings = settings
        self.ledger = ledger
        self.metrics = metrics
        self.logger = logger
        self.pacer = RatePacer(rate: settings.scrubBytesPerSecond)
    }

    /// One batch, oldest verification first; idle until the oldest is due again.
    /// The size scrub charges a chunk smaller than this against its byte rate.
    static let smallestPacedSize: Int64 = 64 << 10

    func work() async throws -> WorkerPace {
        let batch = try await local.leastRecentlyVerified(limit: settings.scrubBatch)
        var pace = WorkerPace.idle(.seconds(1))
        for record in batch {
            if Task.isCancelled { break }
            if let last = record.lastVerified {
                let age = Duration.seconds(Date().timeIntervalSince(last))
                // The batch is oldest first: once one is fresh, all the rest are too.
                if age < settings.scrubPeriod {
                    pace = .idle(max(.milliseconds(100), min(settings.scrubPeriod - age, .seconds(5))))
                    break
                }
            }
            pace = .busy
            let id = ChunkID(record.id)
            let found: ChunkVerification
            let leases: [ChunkLease]
            do {
                // Read first: a corrupt chunk's row, and its leases with it, go to quarantine.
                leases = try await local.leases(of: id)
                found = try await local.verify(id)
            } catch {
                logger.warning("scrub cannot read a chunk", metadata: ["chunk": "\(id)", "error": "\(error)"])
                continue
            }
            // Collected (or moved away) since the batch was listed: nothing to verify or repair.
            if found == .absent { continue }
            ledger.recordScrubbed(corrupt: found == .corrupt)
            metrics.recordScrub(corrupt: found == .corrupt)
            // Each chunk costs at least a small read and an index write, however short it is:
            // small chunks are paced as 64 KiB, so a store of tiny files is not scrubbed at
            // thousands of index writes a second.
            let wait = pacer.delay(after: Double(max(record.size, Self.smallestPacedSize)))
            if wait > .zero { try? await Task.sleep(for: wait) }  // the scrub byte rate, not synchronization
            // A copy this peer no longer owns is not fetched back; its owners hold it. Nor is
            // one whose leases all ended: it is garbage waiting for the sweep (docs/gc.md).
            let now = Date()
            let live = leases.filter { $0.expiry > now }
            if found == .corrupt, !live.isEmpty, placement.snapshot.preferenceList(for: id.bytes).contains(where: \.isSelf) {
                await refetch(id, leases: live)
            }
        }
        return pace
    }

    /// Fetches a quarantined chunk again from the other peers, verified by hash, and stores
    /// it with the leases it had here.
    private func refetch(_ id: ChunkID, leases: [ChunkLease]) async {
        logger.warning("scrub found a corrupt chunk; fetching it from a replica", metadata: ["chunk": "\(id)"])
        do {
            let bytes = try await reader.fetch(id: id)
            try await local.put(id, bytes, leases: leases)
            ledger.recordCorruptRepaired()
            logger.info("scrub repaired a chunk", metadata: ["chunk": "\(id.description.prefix(16))"])
        } catch {
            logger.error("scrub could not repair a chunk; repair passes will retry", metadata: ["chunk": "\(id)", "error": "\(error)"])
        }
    }
}
