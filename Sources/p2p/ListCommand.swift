import APIClient
import APIModel
import ArgumentParser
import Foundation

/// `p2p ls [--json]`: the files this peer stored as their owner (`p2p put`), oldest first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List the files this peer stored: capability, size, date, how.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Flag(help: "Print JSON: {\"files\":[{\"cap\":…,\"size\":…,\"storedAt\":…,\"source\":…}]}.") var json = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let owned: OwnedFiles
        do {
            owned = try await client.ownedFiles()
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(owned), as: UTF8.self))
            return
        }
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
}
