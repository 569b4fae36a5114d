import APIModel
import Foundation

/// The human forms of `p2p sync status` and `p2p sync list`.
enum SyncStatusText {
    static let empty = "no synced folders (add one with `p2p sync add DIR`)\n"

    static func render(_ folders: [FolderStatus]) -> String {
        guard !folders.isEmpty else { return empty }
        var text = ""
        for folder in folders {
            text += "\(folder.path)  (folder \(folder.folderID))\n"
            text += "  state      \(folder.state.rawValue)\(folder.lastError.map { " — \($0)" } ?? "")\n"
            if let me = folder.deviceID {
                text += "  own id     \(me.prefix(12))  (this peer's key in this folder, not its NodeID; conflict copies carry its first 7 characters)\n"
            }
            text += "  files      \(count(folder.files, "file")), \(ProgressBar.size(Double(folder.bytes)))\n"
            text += "  pending    \(count(folder.pending, "change"))\n"
            text += "  conflicts  \(folder.conflicts.count)\n"
            for conflict in folder.conflicts { text += "    \(conflict)\n" }
            text += "  devices    \(folder.devices.count) other\n"
            guard !folder.devices.isEmpty else { continue }
            let rows = folder.devices.map { device in
                [String(device.id.prefix(12)), "\(device.sequence)", "\(device.entries)", time(device.lastChangeMilliseconds)]
            }
            text += StatusTable.aligned(["DEVICE", "SEQUENCE", "ENTRIES", "LAST CHANGE"], rows, rightAligned: [1, 2])
                .split(separator: "\n").map { "    " + $0 + "\n" }.joined()
        }
        return text
    }

    /// `p2p sync list`: one line per folder under a header, and the reason of an error.
    static func list(_ folders: [FolderStatus]) -> String {
        guard !folders.isEmpty else { return empty }
        let rows = folders.map { [$0.path, $0.folderID, $0.state.rawValue, $0.lastError ?? ""] }
        return StatusTable.aligned(["PATH", "FOLDER", "STATE", "PROBLEM"], rows)
    }

    private static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    private static func time(_ milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "never" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
