import APIClient
import APIModel
import FolderKeys
import Home
import NIOHTTP1
import ArgumentParser
import Foundation

/// `p2p sync …`: the folders the local daemon keeps the same on every device.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Keep local folders the same on every device (docs/sync.md).",
        subcommands: [Add.self, List.self, Status.self, Token.self, Remove.self, Rescan.self, Versions.self, Restore.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sync DIR: a new folder (prints its token), or the folder of --token.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The directory to sync.") var directory: String
        @Option(help: "The folder token printed where the folder was created.") var token: String?
        @Option(help: "How long old versions and deleted files are kept, on this device (default 30d; `p2p sync versions`).")
        var retention: String?
        @Flag(help: "Follow the folder of --token without writing anything to DIR: browse it with `p2p mount --folder DIR MOUNTPOINT`.")
        var onDemand = false

        func run() async throws {
            let path = try SyncCommand.existingDirectory(directory)
            if let token {
                do { _ = try FolderToken(parsing: token) } catch { throw CLIError.badInput("\(error)") }
            } else if onDemand {
                throw CLIError.badInput("--on-demand follows an existing folder: give its --token")
            }
            var retentionSeconds: Int?
            if let retention {
                guard let seconds = SizeParser.seconds(retention) else {
                    throw CLIError.badInput("--retention must be a duration like 30d or 12h")
                }
                retentionSeconds = seconds
            }
            let body = FolderAPIDocuments.AddRequest(path: path, token: token, retentionSeconds: retentionSeconds, onDemand: onDemand ? true : nil)
            let added: FolderAPIDocuments.Added
            do {
                added = try await SyncCommand.call(home.resolved(before: root.home), .POST, "/v1/sync/folders", body: try JSONEncoder().encode(body), as: FolderAPIDocuments.Added.self)
            } catch let error as CLIError where error.message.hasPrefix("cannot sync \(path): ") {
                // The daemon names the absolute path; the user reads what they typed.
                throw CLIError(message: "cannot sync \(directory): " + error.message.dropFirst("cannot sync \(path): ".count), exitCode: error.exitCode)
            }
            if added.created {
                print(added.token)
            } else if onDemand {
                CLIError.report("following folder \(added.folder) on demand (nothing is written to \(added.path)); `p2p mount --folder \(added.path) MOUNTPOINT` shows it")
            } else {
                CLIError.report("syncing \(added.path) with folder \(added.folder)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the synced folders: path, folder id, state, and the problem of one in error.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "Only this synced directory.") var directory: String?

        func run() async throws {
            let folders = try await SyncCommand.folders(home.resolved(before: root.home), only: directory)
            print(SyncStatusText.list(folders), terminator: "")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "State, files, bytes, pending changes, conflicts and devices of each synced folder.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Flag(help: "Print the status as JSON (docs/api.md).") var json = false
        @Argument(help: "Only this synced directory.") var directory: String?

        func run() async throws {
            let listing = FolderAPIDocuments.Listing(folders: try await SyncCommand.folders(home.resolved(before: root.home), only: directory))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(listing), as: UTF8.self))
            } else {
                print(SyncStatusText.render(listing.folders), terminator: "")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token of the folder synced at DIR, to add it on another device (a secret).")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The synced directory.") var directory: String

        func run() async throws {
            let folder = try await SyncCommand.call(
                home.resolved(before: root.home), .GET, "/v1/sync/folders/token", folder: directory, as: FolderAPIDocuments.Added.self)
            print(folder.token)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop syncing DIR; its files stay as they are.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The synced directory.") var directory: String

        func run() async throws {
            _ = try await SyncCommand.call(
                home.resolved(before: root.home), .DELETE, "/v1/sync/folders", folder: directory, as: FolderAPIDocuments.Removed.self)
        }
    }

    struct Rescan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan DIR now, even if nothing signalled a change; prints how long the scan took.")
        @ParentCommand var root: P2P
        @OptionGroup var home: HomeOption
        @Argument(help: "The synced directory.") var directory: String
        @Flag(help: "Print {\"path\", \"seconds\"} as JSON.") var json = false

        func run() async throws {
            let done = try await SyncCommand.call(
                home.resolved(before: root.home), .POST, "/v1/sync/folders/rescan", folder: directory, as: FolderAPIDocuments.Rescanned.self)
            if json {
                print(String(decoding: try JSONEncoder().encode(done), as: UTF8.self))
            } else {
                print("scanned \(done.path) in \(String(format: "%.3f", done.seconds)) s")
            }
        }
    }

    /// The synced folders, or only the one at `directory` (as the user typed it; exit 2 if it is not one).
    static func folders(_ peerHome: PeerHome, only directory: String?) async throws -> [FolderStatus] {
        let folders = try await call(peerHome, .GET, "/v1/sync/folders", as: FolderAPIDocuments.Listing.self).folders
        guard let directory else { return folders }
        let path = FolderAPIDocuments.normalizedPath(absolute(directory))
        let chosen = folders.filter { $0.path == path }
        guard !chosen.isEmpty else { throw CLIError.badInput(notSynced(directory)) }
        return chosen
    }

    static func notSynced(_ directory: String) -> String { "\(directory) is not a synced folder (`p2p sync list` shows them)" }

    static func encoded(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-._~"))) ?? path
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func existingDirectory(_ path: String) throws -> String {
        let absolute = FolderAPIDocuments.normalizedPath(absolute(path))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw CLIError.badInput("no such directory: \(path)")
        }
        guard isDirectory.boolValue else { throw CLIError.badInput("not a directory: \(path)") }
        return absolute
    }

    /// A request about the synced folder at `directory` (as the user typed it): `route?path=…`.
    static func call<T: Decodable>(
        _ peerHome: PeerHome, _ method: HTTPMethod, _ route: String, folder directory: String, as type: T.Type
    ) async throws -> T {
        let path = FolderAPIDocuments.normalizedPath(absolute(directory))
        return try await call(peerHome, method, route + "?path=" + encoded(path), as: type, given: directory)
    }

    /// One request to the local daemon; a 400 is bad input (exit 2), and so is a 404 for
    /// the directory the user `given` (a folder not synced here); anything else 1.
    static func call<T: Decodable>(
        _ peerHome: PeerHome, _ method: HTTPMethod, _ path: String, body: Data = Data(), as type: T.Type, given: String? = nil
    ) async throws -> T {
        let client = try APIClient.connecting(to: peerHome)
        let response: APIClientResponse
        do {
            response = try await client.request(method, path, body: [UInt8](body))
        } catch APIClientError.failed(400, let message) {
            throw CLIError.badInput(message)
        } catch APIClientError.failed(404, _) where given != nil {
            throw CLIError.badInput(notSynced(given ?? path))
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw CLIError.failure("unexpected answer from \(client.address): \(error)")
        }
    }
}
