import APIClient
import APIModel
import ArgumentParser
import Foundation

/// `p2p network revoke NODEID... | status` (docs/operations.md): shut members out for good
/// by rotating the network secret, and show the key in force.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Revoke peers (a new network secret for all the others) or show the key in force.",
        subcommands: [NetworkRevokeCommand.self, NetworkStatusCommand.self])
}

struct NetworkRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Shut peers out for good: every other member gets a new network secret, the revoked are refused at admission.",
        discussion: "Any member may revoke. Old join tokens stop working; `p2pd token` prints a new one. What a revoked peer can still read is in docs/operations.md.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The NodeIDs to revoke, or unique prefixes of 8 characters or more (p2p peer list).") var nodes: [String]
    @Flag(help: "Print the answer as JSON.") var json = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let peers = try await PeerCommand.status(peerHome).peers
        let nodeIDs = try nodes.map { try PeerCommand.resolve($0, among: peers) }
        let revocation = try await CLIError.asking(peerHome) { try await $0.revoke(nodeIDs) }
        if json { return try NetworkCommand.printJSON(revocation) }
        print("revoked \(nodeIDs.map { String($0.prefix(12)) }.joined(separator: ", ")): network key \(revocation.key) (epoch \(revocation.epoch))")
        print("told \(revocation.told) of \(revocation.members) members; members away fetch the key when they return")
        print("old join tokens no longer work: `p2pd token` prints a new one")
    }
}

struct NetworkStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The network key in force (its name, never the secret), its epoch, and the revoked peers.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Flag(help: "Print it as JSON.") var json = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let network = try await CLIError.asking(peerHome) { try await $0.network() }
        if json { return try NetworkCommand.printJSON(network) }
        print("network key \(network.key), epoch \(network.epoch), \(network.revoked.count) revoked")
        for node in network.revoked { print("  revoked \(node)") }
    }
}

extension NetworkCommand {
    /// Prints a document as one line of JSON with sorted keys.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
