import APIModel
import Foundation

/// The table `p2p status` prints: one line per peer, the answering peer marked `*`.
enum StatusTable {
    static func render(_ status: NodeStatus) -> String {
        let header = ["NODE", "ADDRESS", "ZONE", "STATE", "INCARNATION", "USED/CAPACITY", "CHUNKS", "ANSWER"]
        let rows = status.peers.map { peer in
            [
                String(peer.nodeID.prefix(12)) + (peer.isSelf ? "*" : ""), peer.address, peer.zone, peer.state,
                "\(peer.incarnation)", humanSize(peer.usedBytes) + "/" + humanSize(peer.capacityBytes), "\(peer.chunkCount)",
                peer.answerMilliseconds.map(answerTime) ?? "-",
            ]
        }
        let network = status.network
        let summary = "\(status.peers.count) peer\(status.peers.count == 1 ? "" : "s") seen by \(status.node.prefix(12))"
            + " · replicas \(network.replicas), write quorum \(network.writeQuorum)\n"
        return summary + aligned(header, rows, rightAligned: [4, 5, 6, 7])
    }

    /// A peer's smoothed answer time: `0.4ms`, `61ms`, `1.2s`.
    static func answerTime(_ milliseconds: Double) -> String {
        if milliseconds < 10 { return String(format: "%.1fms", milliseconds) }
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded()))ms" }
        return String(format: "%.1fs", milliseconds / 1000)
    }

    /// Columns two spaces apart: numbers (the `rightAligned` columns) to the right, text to the left.
    static func aligned(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - cells[column].count)
                return rightAligned.contains(column) ? padding + cells[column] : cells[column] + padding
            }
            .joined(separator: "  ")
            .replacing(/\s+$/, with: "") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    /// 1024-based sizes with the suffixes the CLI accepts: `0`, `512`, `1.5K`, `10G`.
    static func humanSize(_ bytes: UInt64) -> String {
        let units = ["", "K", "M", "G", "T", "P", "E"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes)" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
        return text + units[unit]
    }
}
