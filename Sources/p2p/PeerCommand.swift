import APIClient
import APIModel
import ArgumentParser
import Foundation
import Home

/// `p2p peer list | remove NODEID | drain NODEID` (docs/operations.md): the members as this
/// peer sees them; a failed one taken out of the placement at once; this peer handing its
/// chunks off and leaving.
struct PeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer", abstract: "List the peers, remove a failed one now, or drain this one (docs/operations.md).",
        subcommands: [PeerListCommand.self, PeerRemoveCommand.self, PeerDrainCommand.self])
}

struct PeerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every member this peer knows: full NodeID, state, zone, address, load.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Flag(help: "Print the members as JSON (the `peers` of GET /v1/status).") var json = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let status = try await PeerCommand.status(peerHome)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(status.peers), as: UTF8.self))
            return
        }
        let rows = status.peers.map { peer in
            [
                peer.nodeID + (peer.isSelf ? " *" : ""), peer.state, peer.zone, peer.address,
                StatusTable.humanSize(peer.usedBytes) + "/" + StatusTable.humanSize(peer.capacityBytes), "\(peer.chunkCount)",
            ]
        }
        print(StatusTable.aligned(["NODE", "STATE", "ZONE", "ADDRESS", "USED/CAPACITY", "CHUNKS"], rows, rightAligned: [4, 5]), terminator: "")
    }
}

struct PeerRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a failed peer now: its chunks are copied back to N on the others at once, without the removal grace.",
        discussion: "The peer must be dead or suspect as this peer sees it; a live one is drained instead. If it comes back, it rejoins as after any failure.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The peer's NodeID, or a unique prefix of it of 8 characters or more (p2p peer list).") var node: String

    func run() async throws {
        let (nodeID, removal) = try await PeerCommand.ask(home.resolved(before: root.home), about: node) { client, nodeID in
            try await client.removePeer(nodeID)
        }
        var line = "removed \(nodeID.prefix(12)) (failed at incarnation \(removal.incarnation)); told \(removal.told) of \(removal.members) members"
        if removal.told < removal.members { line += " (the others drop it after the removal grace)" }
        print(line + "; repair is copying its chunks back to N (p2p status --durability)")
    }
}

struct PeerDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain this peer: hand every chunk it holds to the others until each is at N, then leave and stop the daemon.",
        discussion: "Run it against the peer to drain (its --home); the NodeID confirms which peer that is. Progress is printed until the peer has left.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "This peer's NodeID (p2pd id), or a unique prefix of it of 8 characters or more.") var node: String
    @Flag(help: "Ask for the drain and return at once; follow it with GET /v1/drain.") var noWait = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        var (nodeID, progress) = try await PeerCommand.ask(peerHome, about: node) { client, nodeID in
            try await client.drainPeer(nodeID)
        }
        print("draining \(nodeID.prefix(12)): handing every chunk to its owners without this peer")
        if noWait { return }
        var last = ""
        while progress.state == .draining {
            let line = Self.describe(progress)
            if line != last { print(line) }
            last = line
            try await Task.sleep(for: .milliseconds(500))  // polling period of a progress display
            do {
                progress = try await client.drainProgress()
            } catch APIClientError.unreachable {
                throw CLIError.failure("the daemon stopped before the drain completed: \(last)")
            }
        }
        print(Self.describe(progress))
        let stopped = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < stopped {
            do {
                _ = try await client.drainProgress()
            } catch APIClientError.unreachable {
                print("left the network; the daemon stopped")
                return
            } catch {}
            try await Task.sleep(for: .milliseconds(200))  // polling for the daemon to exit
        }
        throw CLIError.failure("the peer left, but its daemon still answers after 120 s")
    }

    static func describe(_ progress: DrainProgress) -> String {
        let moved = "\(progress.pushedCopies) copies pushed (\(StatusTable.humanSize(progress.pushedBytes)))"
        switch progress.state {
        case .draining where progress.passes == 0:
            return "  starting the first pass"
        case .draining:
            return "  \(progress.atN) of \(progress.chunks) chunks at N elsewhere after pass \(progress.passes); \(moved)"
        case .left:
            return "  all \(progress.chunks) chunks at N elsewhere; \(moved) in \(String(format: "%.1f", progress.seconds)) s"
        }
    }
}

extension PeerCommand {
    /// Resolves `node` against the local peer's members and sends one request about it;
    /// the full NodeID and the answer. API failures become the CLI's one-line errors.
    static func ask<Answer>(
        _ home: PeerHome, about node: String, _ request: (APIClient, String) async throws -> Answer
    ) async throws -> (nodeID: String, answer: Answer) {
        let nodeID = try resolve(node, among: try await status(home).peers)
        return (nodeID, try await CLIError.asking(home) { try await request($0, nodeID) })
    }

    static func status(_ home: PeerHome) async throws -> NodeStatus {
        try await CLIError.asking(home) { try await $0.status() }
    }

    /// The full NodeID that `text` names: itself, or the one member whose NodeID starts
    /// with it (8 characters at least). Malformed text is bad input (exit 2).
    static func resolve(_ text: String, among peers: [NodeStatus.PeerEntry]) throws -> String {
        let alphabet = Set("abcdefghijklmnopqrstuvwxyz234567")
        guard text.count >= 8, text.count <= 52, text.allSatisfy({ alphabet.contains($0) }) else {
            throw CLIError.badInput("'\(text)' is not a NodeID: 52 characters of a–z and 2–7, or a prefix of 8 or more (p2p peer list)")
        }
        let matches = peers.filter { $0.nodeID.hasPrefix(text) }
        switch matches.count {
        case 1: return matches[0].nodeID
        case 0 where text.count == 52: return text
        case 0: throw CLIError.failure("no peer whose NodeID starts with \(text) (p2p peer list)")
        default: throw CLIError.badInput("\(text) names \(matches.count) peers: give more of the NodeID")
        }
    }
}
