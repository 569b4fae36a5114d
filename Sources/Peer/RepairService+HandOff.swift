import Content
import Foundation

/// Graceful leave's walk (docs/repair.md): before announcing `left`, the peer pushes every
/// chunk it holds to the preference lists computed without itself — the owners the others
/// will compute once it is gone — and counts what each of them confirmed.
extension RepairService {
    /// One walk over the local chunks against `snapshot` (placement without this peer):
    /// asks each owner which chunks it holds and pushes the missing ones. `atN` counts the
    /// chunks every owner confirmed, on a list as full as the remaining peers allow;
    /// `belowN` those every reachable owner confirmed while another owner is down;
    /// `backlog` those some reachable owner has not confirmed yet.
    func handOffPass(_ snapshot: PlacementSnapshot) async -> RepairPassReport {
        var report = RepairPassReport()
        var bytes = RatePacer(rate: configuration.bytesPerSecond)
        let fullList = min(snapshot.replicas, snapshot.peers.count)
        await forEachLocalPage { ids in
            var groups: [String: (owners: [PlacementPeer], ids: [ChunkID])] = [:]
            for id in ids {
                let owners = snapshot.preferenceList(for: id.bytes)
                groups[owners.map(\.nodeID.description).joined(separator: ","), default: (owners, [])].ids.append(id)
            }
            let answers = await askOwners(of: Array(groups.values))
            for (owners, group) in groups.values {
                let held = owners.map { answers.held(group, by: $0) }
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
