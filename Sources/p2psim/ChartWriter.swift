import Foundation
import Simulation

/// Turns a report into SVG charts (drawn by `SVGChart`) and writes them to a folder.
struct ChartWriter {
    let report: SimulationReport

    init(_ report: SimulationReport) {
        self.report = report
    }

    func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, chart) in charts() {
            try Data(chart.render().utf8).write(to: folder.appendingPathComponent(name))
        }
    }

    func charts() -> [(String, SVGChart)] {
        var charts = [(String, SVGChart)]()
        if !report.balance.isEmpty {
            let series = report.balance.map { row in
                SVGChart.Series(name: "\(row.result.peers) \(row.result.profile.rawValue)", points: row.result.histogram.enumerated().map {
                    (BalanceExperiment.histogramStart + (Double($0.offset) + 0.5) * BalanceExperiment.histogramWidth,
                     Double($0.element) / Double(row.result.peers) * 100)
                })
            }
            charts.append(("balance-utilization.svg", SVGChart(
                title: "Stored bytes / capacity, relative to the mean", xLabel: "utilization / mean (0.01 bins)",
                yLabel: "% of peers", kind: .lines(logX: false), series: series
            )))
            let labels = report.balance.map { "\($0.result.peers) \($0.result.profile.rawValue)" }
            var moved = SVGChart(
                title: "Data moved on one join / leave, relative to the ideal", xLabel: "scenario", yLabel: "moved / ideal",
                kind: .bars(groupLabels: labels), series: [
                    .init(name: "join", points: report.balance.enumerated().map { (Double($0.offset), mean($0.element.result.joinMovedOverIdeal)) }),
                    .init(name: "leave", points: report.balance.enumerated().map { (Double($0.offset), mean($0.element.result.leaveMovedOverIdeal)) }),
                    .init(name: "max/mean load", points: report.balance.enumerated().map { (Double($0.offset), $0.element.result.maxOverMean) }),
                ]
            )
            moved.target = (1.10, "target 1.10")
            charts.append(("balance-moved.svg", moved))
        }
        let firstLoss = report.detection.first?.result.lossRate
        let atFirstLoss = report.detection.filter { $0.result.lossRate == firstLoss }
        if !atFirstLoss.isEmpty {
            let loss = Int(((firstLoss ?? 0) * 100).rounded())
            var time = SVGChart(
                title: "Crash → dead at every survivor (\(loss)% loss)", xLabel: "peers", yLabel: "seconds",
                kind: .lines(logX: true), series: [
                    .init(name: "p50", points: atFirstLoss.map { (Double($0.result.peers), $0.result.detection.p50) }),
                    .init(name: "p99", points: atFirstLoss.map { (Double($0.result.peers), $0.result.detection.p99) }),
                    .init(name: "max (all know)", points: atFirstLoss.map { (Double($0.result.peers), $0.result.detection.max) }),
                ]
            )
            time.target = (30, "target 30 s")
            charts.append(("detection-time.svg", time))
            var bandwidth = SVGChart(
                title: "Membership traffic per peer", xLabel: "peers", yLabel: "bytes/s sent",
                kind: .lines(logX: true), series: [
                    .init(name: "measured", points: atFirstLoss.map { (Double($0.result.peers), $0.result.bytesPerSecondPerPeer) }),
                    .init(name: "model", points: report.costModel.map { (Double($0.peers), $0.bytesPerSecond) }),
                ]
            )
            bandwidth.logY = true
            bandwidth.target = (2_000, "target 2 KB/s")
            charts.append(("detection-bandwidth.svg", bandwidth))
        }
        if !report.durability.isEmpty {
            let scenarios = Array(Set(report.durability.map { ScenarioKey($0.result) })).sorted()
            let series = [3, 5].map { replicas in
                SVGChart.Series(name: "N=\(replicas)", points: scenarios.enumerated().compactMap { index, key in
                    report.durability.first { ScenarioKey($0.result) == key && $0.result.replicas == replicas }
                        .map { (Double(index), max($0.result.lostFraction, 1e-7)) }
                })
            }
            var durability = SVGChart(
                title: "Chunks that ever hit 0 replicas in 30 days (floor 1e-7 = none seen)", xLabel: "churn per hour, repair receivers",
                yLabel: "fraction of chunks", kind: .bars(groupLabels: scenarios.map(\.label)), series: series
            )
            durability.logY = true
            charts.append(("durability.svg", durability))
        }
        if !report.partition.isEmpty {
            var partition = SVGChart(
                title: "Partition of 5 min: time to one consistent view after the heal", xLabel: "peers", yLabel: "seconds",
                kind: .bars(groupLabels: report.partition.map { "\($0.result.peers)" }), series: [
                    .init(name: "measured", points: report.partition.enumerated().map { (Double($0.offset), $0.element.result.healSeconds ?? 0) }),
                    .init(name: "bound", points: report.partition.enumerated().map { (Double($0.offset), $0.element.result.boundSeconds) }),
                ]
            )
            partition.target = nil
            charts.append(("partition.svg", partition))
        }
        return charts
    }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}

/// A durability scenario without its replica count, for grouping N=3 and N=5.
private struct ScenarioKey: Hashable, Comparable {
    var churn: Double
    var parallelism: Int

    init(_ result: DurabilityExperiment.Result) {
        churn = result.churnPerHour
        parallelism = result.repairParallelism
    }

    var label: String { "\(String(format: "%g", churn * 100))%/h, \(parallelism) recv" }

    static func < (lhs: ScenarioKey, rhs: ScenarioKey) -> Bool {
        (lhs.churn, -lhs.parallelism) < (rhs.churn, -rhs.parallelism)
    }
}
