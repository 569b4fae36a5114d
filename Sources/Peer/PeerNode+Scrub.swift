import ChunkStore
import Content
import Foundation
import Logging

/// Scrub: every peer re-hashes its stored chunks, least recently verified first, at a
/// bounded byte rate. The store quarantines a chunk whose bytes no longer hash to its id;
/// scrub then fetches it again, verified, from a replica and stores it.
extension PeerNode {
    func runScrubLoop() async {
        let settings = repairConfiguration
        var pacer = RatePacer(rate: settings.scrubBytesPerSecond)
        while !Task.isCancelled {
            let batch = (try? await local.leastRecentlyVerified(limit: settings.scrubBatch)) ?? []
            var idle: Duration = .seconds(1)
            for record in batch {
                if Task.isCancelled { return }
                if let last = record.lastVerified {
                    let age = Duration.seconds(Date().timeIntervalSince(last))
                    // The batch is oldest first: once one is fresh, all the rest are too.
                    if age < settings.scrubPeriod {
                        idle = max(.milliseconds(100), min(settings.scrubPeriod - age, .seconds(5)))
                        break
                    }
                }
                idle = .zero
                guard let id = ChunkID(bytes: record.id.bytes) else { continue }
                let intact: Bool
                do {
                    intact = try await local.verify(id)
                } catch {
                    logger.warning("scrub cannot read a chunk", metadata: ["chunk": "\(id)", "error": "\(error)"])
                    continue
                }
                noteScrubbed(corrupt: !intact)
                await pacer.pace(after: Double(record.size))
                // A copy this peer no longer owns is not fetched back; its owners hold it.
                if !intact, placement.snapshot.preferenceList(for: id.bytes).contains(where: \.isSelf) { await refetch(id) }
            }
            if idle > .zero { try? await Task.sleep(for: idle) }  // nothing due yet, not synchronization
        }
    }

    private func noteScrubbed(corrupt: Bool) {
        durability.scrubbed += 1
        if corrupt { durability.corruptFound += 1 }
        metrics.recordScrub(corrupt: corrupt)
    }

    private func noteRepaired() {
        durability.corruptRepaired += 1
    }

    /// Fetches a quarantined (or vanished) chunk again from the other peers, verified by hash.
    private nonisolated func refetch(_ id: ChunkID) async {
        logger.warning("scrub found a corrupt chunk; fetching it from a replica", metadata: ["chunk": "\(id)"])
        do {
            let bytes = try await reader.fetch(id: id)
            try await local.put(id, bytes)
            await noteRepaired()
            logger.info("scrub repaired a chunk", metadata: ["chunk": "\(id.description.prefix(16))"])
        } catch {
            logger.error("scrub could not repair a chunk; repair passes will retry", metadata: ["chunk": "\(id)", "error": "\(error)"])
        }
    }
}
