import APIClient
import APIModel
import ArgumentParser
import Content
import Foundation

/// `p2p locate CAP [--json]`: which peers hold each chunk of a file (a diagnostic).
struct LocateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate", abstract: "Show which peers hold each chunk of a file.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The capability (p2p1:…).") var capability: String
    @Flag(help: "Print JSON: {\"chunks\":[{\"id\":…,\"holders\":[NodeID…]}]}.") var json = false

    func run() async throws {
        try CLIError.validate(capability: capability)
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let body: [UInt8]
        do {
            body = try await client.locate(capability: capability)
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: capability)
        }
        if json {
            print(String(decoding: body, as: UTF8.self), terminator: "")
            return
        }
        let report = try JSONDecoder().decode(ChunkLocations.self, from: Data(body))
        print("CHUNK             HOLDERS")
        for chunk in report.chunks {
            print("\(chunk.id.prefix(16))  \(chunk.holders.map { String($0.prefix(12)) }.joined(separator: " "))")
        }
    }
}
