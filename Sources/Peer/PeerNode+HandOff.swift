import Content
import Foundation
import Logging

/// Graceful leave (docs/repair.md): before announcing `left`, the peer pushes every chunk it
/// holds to the preference lists computed without itself — the owners the others will
/// compute once it is gone — and waits for each of them to confirm. The survivors then
/// hold every chunk at N the moment they see `left`, instead of repairing after the fact.
extension PeerNode {
    /// Pause between hand-off passes while some owner has not confirmed yet.
    static let handOffRetry = Duration.seconds(1)

    /// Hands off every local chunk, then announces `left` and stops. Gives up waiting for
    /// confirmations after `timeout` (an owner down for good must not block a leave
    /// forever) and leaves anyway: the survivors' repair passes cover what is missing.
    public func leave(handOffTimeout timeout: Duration = .seconds(600)) async -> HandOffReport {
        // Repair and scrub stop first: they would push copies back to this peer or drop some.
        for task in healing { task.cancel() }
        healing = []
        let clock = ContinuousClock()
        let started = clock.now
        var report = HandOffReport()
        logger.info("leaving: handing off every chunk to its owners without this peer")
        while true {
            let pass = await handOffPass(placementSnapshot(includingSelf: false))
            report.passes += 1
            report.chunks = pass.chunks
            report.confirmed = pass.atN + pass.belowN
            report.ownerDown = pass.belowN
            report.pushedCopies += pass.pushedCopies
            report.pushedBytes += pass.pushedBytes
            if report.isComplete || clock.now - started >= timeout || Task.isCancelled { break }
            try? await Task.sleep(for: Self.handOffRetry)  // retry period, not synchronization
        }
        report.seconds = (clock.now - started) / .seconds(1)
        let metadata: Logger.Metadata = [
            "chunks": "\(report.chunks)", "confirmed": "\(report.confirmed)", "pushed": "\(report.pushedCopies)",
            "bytes": "\(report.pushedBytes)", "passes": "\(report.passes)",
        ]
        if report.isComplete {
            logger.info("hand-off complete; announcing left", metadata: metadata)
        } else {
            logger.warning("hand-off incomplete at the deadline; leaving anyway, repair will finish it", metadata: metadata)
        }
        await stop(announceLeave: true)
        return report
    }

    /// One walk over the local chunks against `snapshot` (placement without this peer):
    /// asks each owner which chunks it holds and pushes the missing ones. `atN` counts the
    /// chunks every owner confirmed, on a list as full as the remaining peers allow;
    /// `belowN` those every reachable owner confirmed while another owner is down;
    /// `backlog` those some reachable owner has not confirmed yet.
    nonisolated func handOffPass(_ snapshot: PlacementSnapshot) async -> RepairPassReport {
        var report = RepairPassReport()
        var bytes = RatePacer(rate: repairConfiguration.bytesPerSecond)
        let fullList = min(snapshot.replicas, snapshot.peers.count)
        await forEachLocalPage { ids in
            var groups: [String: (owners: [PlacementPeer], ids: [ChunkID])] = [:]
            for id in ids {
                let owners = snapshot.preferenceList(for: id.bytes)
                groups[owners.map(\.nodeID.description).joined(separator: ","), default: (owners, [])].ids.append(id)
            }
            for (owners, group) in groups.values {
                var held: [[Bool]?] = []
                for owner in owners { held.append(owner.isUsable ? await ask(owner, about: group) : nil) }
                // This peer pushes every missing copy itself: it is about to go, and the
                // other holders would only notice at their next pass.
                var jobs: [(index: Int, targets: [PlacementPeer])] = []
                for index in group.indices {
                    let missing = owners.indices.filter { owners[$0].isUsable && held[$0]?[index] == false }
                    if !missing.isEmpty { jobs.append((index, missing.map { owners[$0] })) }
                }
                let pushed = await pushAll(jobs, ids: group, report: &report, bytes: &bytes)
                let usable = owners.filter(\.isUsable).count
                for index in group.indices {
                    report.chunks += 1
                    let confirmed = owners.indices.filter { held[$0]?[index] == true }.count + (pushed[index] ?? 0)
                    if confirmed == 0 || confirmed < usable {
                        report.backlog += 1  // pushed again on the next pass
                    } else if owners.count >= fullList && confirmed == owners.count {
                        report.atN += 1
                    } else {
                        report.belowN += 1  // an owner is down: repair brings it the copy when it returns
                    }
                }
            }
        }
        return report
    }
}
