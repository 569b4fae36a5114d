import APIModel
import Foundation

/// The human form of `p2p sync status`.
enum SyncStatusText {
    static func render(_ folders: [FolderStatus]) -> String {
        guard !folders.isEmpty else { return "no synced folders\n" }
        var text = ""
        for folder in folders {
            text += "\(folder.path)  (folder \(folder.folderID))\n"
            text += "  state      \(folder.state.rawValue)\(folder.lastError.map { " — \($0)" } ?? "")\n"
            text += "  files      \(folder.files), \(StatusTable.humanSize(folder.bytes))\n"
            text += "  pending    \(folder.pending)\n"
            text += "  conflicts  \(folder.conflicts.count)\n"
            for conflict in folder.conflicts { text += "    \(conflict)\n" }
            text += "  devices    \(folder.devices.count) other\n"
            for device in folder.devices {
                text += "    \(device.id.prefix(12))  seq \(device.sequence)  \(device.entries) entries  last change \(time(device.lastChangeMilliseconds))\n"
            }
        }
        return text
    }

    private static func time(_ milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "never" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
