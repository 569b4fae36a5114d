import Foundation
import Peer

/// What `p2p status --workers` prints: each background worker of the peer and its last run.
enum WorkerTable {
    static func render(_ workers: [NodeStatus.Worker], now: Date = Date()) -> String {
        let header = ["WORKER", "STATE", "RUNS", "FAILURES", "LAST RUN", "TOOK", "LAST ERROR"]
        let rows = workers.map { worker -> [String] in
            let started = worker.lastRunStarted.map { String(format: "%.0fs ago", max(0, now.timeIntervalSince1970 - $0)) } ?? "never"
            let took = worker.lastRunSeconds.map { String(format: "%.3fs", $0) } ?? "-"
            return [worker.name, worker.state, "\(worker.runs)", "\(worker.failures)", started, took, worker.lastError ?? ""]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }
}
