import APIClient
import APIModel
import ArgumentParser
import Foundation
import Home
import NIOHTTP1

/// `p2p sync versions PATH` and `p2p sync restore PATH`: the versions a synced folder keeps
/// of a file for its retention (docs/sync.md, "Versions").
extension SyncCommand {
    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the kept versions of a file of a synced folder: the current one, then older ones, newest first.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The file, inside a synced directory (it may be deleted).") var file: String
        @Flag(help: "Print the versions as JSON (docs/api.md).") var json = false

        func run() async throws {
            let listing = try await SyncCommand.callAboutFile(
                home.resolved(before: root.home), .GET, "/v1/sync/folders/versions", file: file,
                as: FolderAPIDocuments.Versions.self)
            if json { return try NetworkCommand.printJSON(listing) }
            guard !listing.versions.isEmpty else {
                print("no versions of \(file) are kept (retention \(SyncCommand.duration(listing.retentionSeconds)))")
                return
            }
            let dates = ISO8601DateFormatter()
            let rows = listing.versions.map { version in
                [
                    version.supersededMilliseconds.map { dates.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "current",
                    version.deleted ? "deleted" : "",
                    dates.string(from: Date(timeIntervalSince1970: Double(version.modifiedNanoseconds) / 1e9)),
                    StatusTable.humanSize(version.size), version.modifiedBy,
                ]
            }
            print(StatusTable.aligned(["REPLACED", "THEN", "MODIFIED", "SIZE", "BY"], rows, rightAligned: [3]), terminator: "")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring back a kept version of a file of a synced folder, as its newest version on every device.",
            discussion: "Without --at, the version most recently replaced. --at TIME takes the file as it was then (the newest version modified by TIME): an ISO 8601 time (2026-12-06T10:00:00Z) or a duration ago (90s, 10m, 2h, 3d).")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The file, inside a synced directory (it may be deleted).") var file: String
        @Option(help: "Restore the file as it was at this time.") var at: String?

        func run() async throws {
            var query = ""
            if let at {
                guard let time = SyncCommand.time(at) else {
                    throw CLIError.badInput("--at must be an ISO 8601 time (2026-12-06T10:00:00Z) or a duration ago (10m)")
                }
                query = "&at=\(Int64(time.timeIntervalSince1970 * 1000))"
            }
            let restored = try await SyncCommand.callAboutFile(
                home.resolved(before: root.home), .POST, "/v1/sync/folders/restore", file: file, query: query, as: FolderAPIDocuments.Restored.self)
            let modified = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(restored.restored.modifiedNanoseconds) / 1e9))
            print("restored \(file): the version of \(modified) (\(StatusTable.humanSize(restored.restored.size)))")
        }
    }

    /// A request about a file inside a synced folder (`route?path=…`): a path outside every
    /// synced folder is bad input (exit 2); no such version, or a refusal, exit 1.
    static func callAboutFile<T: Decodable>(
        _ peerHome: PeerHome, _ method: HTTPMethod, _ route: String, file: String, query: String = "", as type: T.Type
    ) async throws -> T {
        let path = FolderAPIDocuments.normalizedPath(absolute(file))
        do {
            return try await call(peerHome, method, route + "?path=" + encoded(path) + query, as: type)
        } catch let error as CLIError where error.message.hasSuffix("is not a synced folder") {
            throw CLIError.badInput("\(file) is not inside a synced folder (`p2p sync list` shows them)")
        }
    }

    /// An ISO 8601 time (fractional seconds allowed), or a duration before now.
    static func time(_ text: String) -> Date? {
        let precise = ISO8601DateFormatter()
        precise.formatOptions.insert(.withFractionalSeconds)
        if let date = ISO8601DateFormatter().date(from: text) ?? precise.date(from: text) { return date }
        guard let seconds = SizeParser.seconds(text) else { return nil }
        return Date().addingTimeInterval(-Double(seconds))
    }

    /// A retention in the largest unit that divides it.
    static func duration(_ seconds: Int) -> String {
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
