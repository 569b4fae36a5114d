import Foundation
import Simulation

/// The human-readable report: one aligned table per experiment.
struct ReportTable {
    let report: SimulationReport

    init(_ report: SimulationReport) {
        self.report = report
    }

    func render() -> String {
        var sections = [String]()
        if !report.balance.isEmpty {
            sections.append(table(
                "Balance (real Ring, N=3, 8 zones; utilization = stored/capacity; targets max/mean ≤ 1.10, join ≤ 1.1× ideal)",
                ["peers", "capacities", "tokens", "max/mean", "min/mean", "join moved/ideal", "leave moved/ideal", "wall s"],
                report.balance.map { row in
                    let r = row.result
                    return ["\(r.peers)", r.profile.rawValue, "\(r.tokensPerPeer)", f(r.maxOverMean, 3), f(r.minOverMean, 3),
                            list(r.joinMovedOverIdeal), list(r.leaveMovedOverIdeal), f(row.wallSeconds, 1)]
                }
            ))
        }
        if !report.detection.isEmpty {
            sections.append(table(
                "Failure detection (real SWIM/Lifeguard; crash → dead at each survivor, seconds; target all know ≤ 30 s, ≤ 2 KB/s per peer)",
                ["peers", "loss", "p50", "p99", "max", "all know (per crash)", "missed", "false dead", "falsely dead peers",
                 "peers suspected/h", "B/s per peer", "max B/s", "push-pull share", "sim s", "wall s"],
                report.detection.map { row in
                    let r = row.result
                    return ["\(r.peers)", pct(r.lossRate), f(r.detection.p50, 1), f(r.detection.p99, 1), f(r.detection.max, 1),
                            list(r.allKnow, digits: 1), "\(r.undetected)", "\(r.falseDeaths)", pct(r.falseDeadPeerFraction),
                            f(r.falseSuspicionsPerHour, 1), f(r.bytesPerSecondPerPeer, 0), f(r.maxBytesPerSecondPerPeer, 0),
                            pct(r.pushPullFraction), f(r.simulatedSeconds, 0), f(row.wallSeconds, 1)]
                }
            ))
        }
        if !report.costModel.isEmpty {
            sections.append(table(
                "Full-membership cost model (codec sizes × protocol rates; gossip of changes not included)",
                ["peers", "push-pull bytes", "period s", "B/s per peer", "suspicion min s", "table MB per peer"],
                report.costModel.map { m in
                    ["\(m.peers)", f(m.pushPullBytes, 0), f(m.pushPullPeriodSeconds, 0), f(m.bytesPerSecond, 0),
                     f(m.suspicionMinimumSeconds, 0), f(m.tableBytes / 1e6, 1)]
                }
            ))
        }
        if !report.durability.isEmpty {
            sections.append(table(
                "Durability over 30 days (model on real Ring placement, 1,000 peers, 500 GB each, 10 MB/s per receiver, 10 min grace)",
                ["churn/h", "receivers", "repair h", "N", "failures", "chunks", "lost", "lost fraction", "down to 1 copy", "wall s"],
                report.durability.map { row in
                    let r = row.result
                    return [pct(r.churnPerHour), "\(r.repairParallelism)", f(r.repairHours, 2), "\(r.replicas)", "\(r.failures)",
                            "\(r.chunks)", "\(r.lostChunks)", String(format: "%.1e", r.lostFraction), "\(r.singleCopyChunks)",
                            f(row.wallSeconds, 1)]
                }
            ))
        }
        if !report.partition.isEmpty {
            sections.append(table(
                "Partition (split in two halves, then healed)",
                ["peers", "loss", "split s", "cross dead before heal", "same-side deaths", "heal s", "bound s", "wall s"],
                report.partition.map { row in
                    let r = row.result
                    return ["\(r.peers)", pct(r.lossRate), f(r.splitSeconds, 0), pct(r.crossDeadFractionBeforeHeal),
                            "\(r.sameSideDeaths)", r.healSeconds.map { f($0, 1) } ?? "not healed", f(r.boundSeconds, 1),
                            f(row.wallSeconds, 1)]
                }
            ))
        }
        return sections.joined(separator: "\n")
    }

    private func table(_ title: String, _ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var text = title + "\n" + line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { text += line(row) + "\n" }
        return text
    }

    private func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private func pct(_ value: Double) -> String { String(format: value < 0.01 && value > 0 ? "%.2f%%" : "%.1f%%", value * 100) }
    private func list(_ values: [Double], digits: Int = 3) -> String { values.map { f($0, digits) }.joined(separator: " ") }
}
