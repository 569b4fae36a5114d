import APIClient
import APIModel
import ArgumentParser
import Foundation
import Home

/// `p2p ls [--json]`: the files this peer stored as their owner (`p2p put`), oldest first.
/// `p2p ls CAP [PATH] [-l] [--json]`: the entries of a stored directory, without fetching
/// any file's contents.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List the files this peer stored, or a stored directory's entries (ls CAP [PATH]).")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "A directory capability (from `p2p put -r`); without one, what this peer stored.") var capability: String?
    @Argument(help: "A path inside that directory.") var path: String?
    @Flag(name: .short, help: "Long form: type and mode, size, modification time, name.") var long = false
    @Flag(help: "Print JSON: {\"files\":[{\"cap\":…,\"size\":…,\"storedAt\":…,\"source\":…}]}, or a directory's {\"entries\":[…]}.") var json = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        if let capability {
            try CLIError.validate(capability: capability)
            return try await listDirectory(capability, home: peerHome)
        }
        let client = try APIClient.connecting(to: peerHome)
        let owned: OwnedFiles
        do {
            owned = try await client.ownedFiles()
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        }
        if json { return try printJSON(owned) }
        guard !owned.files.isEmpty else {
            print("no files stored through this peer (`p2p put FILE` stores one)")
            return
        }
        let dates = ISO8601DateFormatter()
        let rows = owned.files.map { file in
            [dates.string(from: Date(timeIntervalSince1970: file.storedAt)), StatusTable.humanSize(file.size), file.source, file.cap]
        }
        print(StatusTable.aligned(["STORED", "SIZE", "SOURCE", "CAPABILITY"], rows, rightAligned: [1]), terminator: "")
    }

    private func listDirectory(_ capability: String, home peerHome: PeerHome) async throws {
        let client = try APIClient.connecting(to: peerHome)
        var cap = capability
        var document = try await fetch(cap, client: client, home: peerHome)
        for component in (path ?? "").split(separator: "/") where component != "." {
            guard let entry = document.entries.first(where: { $0.name == component }) else {
                throw CLIError.failure("no \(String(component).debugDescription) in this directory")
            }
            guard entry.type == "directory", let next = entry.cap else {
                throw CLIError.failure("\(String(component).debugDescription) is a \(entry.type), not a directory")
            }
            cap = next
            document = try await fetch(cap, client: client, home: peerHome)
        }
        if json { return try printJSON(document) }
        if !long {
            for entry in document.entries { print(entry.type == "directory" ? entry.name + "/" : entry.name) }
            return
        }
        let dates = ISO8601DateFormatter()
        let rows = document.entries.map { entry -> [String] in
            let type = entry.type == "directory" ? "d" : entry.type == "symlink" ? "l" : "-"
            let name = entry.type == "symlink" ? "\(entry.name) -> \(entry.target ?? "")" : entry.name
            let date = Date(timeIntervalSince1970: Double(entry.mtimeNanoseconds) / 1e9)
            return [type + String(format: "%03o", entry.mode & 0o777), StatusTable.humanSize(entry.size), dates.string(from: date), name]
        }
        print(StatusTable.aligned(["MODE", "SIZE", "MODIFIED", "NAME"], rows, rightAligned: [1]), terminator: "")
    }

    private func fetch(_ cap: String, client: APIClient, home peerHome: PeerHome) async throws -> DirectoryDocument {
        do {
            return try await client.directory(capability: cap)
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: cap)
        }
    }

    private func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
