import APIModel
import Foundation

/// What `p2p status --durability` prints: the last repair pass's view of this peer's chunks.
enum DurabilityTable {
    static func render(_ figures: NodeStatus.Durability, node: String, replicas: Int) -> String {
        let rows: [(String, String)] = [
            ("repair passes", "\(figures.passes)"),
            ("chunks held here", "\(figures.chunks)"),
            ("at N=\(replicas)", "\(figures.atN)"),
            ("below N", "\(figures.belowN)"),
            ("at 0 known replicas", "\(figures.zeroKnownReplicas)"),
            ("repair backlog", "\(figures.backlog)"),
            ("copies pushed", "\(figures.pushedCopies) (\(StatusTable.humanSize(figures.pushedBytes)))"),
            ("surplus copies deleted", "\(figures.surplusDeleted)"),
            ("last pass", String(format: "%.1fs", figures.lastPassSeconds)),
            ("scrubbed", "\(figures.scrubbed)"),
            ("corrupt found / repaired", "\(figures.corruptFound) / \(figures.corruptRepaired)"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        let header = "durability as seen by \(node.prefix(12))" + (figures.passes == 0 ? " (no repair pass finished yet)" : "") + "\n"
        return header + rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 + "\n" }.joined()
    }
}
