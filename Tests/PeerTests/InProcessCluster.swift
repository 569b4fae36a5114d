import APIModel
import ChunkStore
import Content
import Foundation
import Home
import Logging
import Membership
import OpenSSLKit
import Peer
import TestSupport
import Transport

/// Peers in this process, each with its own home and port on 127.0.0.1.
final class InProcessCluster: @unchecked Sendable {
    let root: String
    private(set) var nodes: [PeerNode]
    private(set) var homes: [PeerHome]
    let logger: Logger
    let repair: RepairConfiguration
    /// The network secret: a test may admit peers of its own, honest or not.
    let secret: [UInt8]
    private let network: NetworkSettings

    private init(
        root: String, nodes: [PeerNode], homes: [PeerHome], logger: Logger, repair: RepairConfiguration,
        secret: [UInt8], network: NetworkSettings
    ) {
        self.root = root
        self.nodes = nodes
        self.homes = homes
        self.logger = logger
        self.repair = repair
        self.secret = secret
        self.network = network
    }

    /// Repair and scrub off unless a test asks for them, so data-path tests see only the data path.
    static func start(
        peers: Int, replicas: Int = 3, writeQuorum: Int = 2, removalGraceSeconds: Int = 600,
        repair: RepairConfiguration = RepairConfiguration(isEnabled: false),
        membership: MembershipConfiguration = MembershipConfiguration(), logger custom: Logger? = nil
    ) async throws -> InProcessCluster {
        var logger = Logger(label: "p2pstore.test.cluster")
        logger.logLevel = .critical
        if let custom { logger = custom }
        let root = try Scratch.directory()
        let secret = try SecureRandom.bytes(count: 32)
        let ports = try (0..<peers).map { _ in try Scratch.freePort() }
        var homes: [PeerHome] = []
        for index in 0..<peers {
            let address = HostPort(host: "127.0.0.1", port: ports[index])
            let configuration = PeerConfiguration(
                listen: address, advertise: address, api: HostPort(host: "127.0.0.1", port: 0), zone: "z\(index % 3)",
                capacity: 1 << 30, seeds: index == 0 ? [] : ["127.0.0.1:\(ports[0])"],
                network: NetworkSettings(replicas: replicas, writeQuorum: writeQuorum, removalGraceSeconds: removalGraceSeconds))
            homes.append(try PeerHome.create(at: root + "/p\(index)", configuration: configuration, networkSecret: secret))
        }
        var nodes: [PeerNode] = []
        for home in homes {
            let node = try PeerNode(home: home, membershipConfiguration: membership, repairConfiguration: repair, logger: logger)
            _ = try await node.start()
            nodes.append(node)
        }
        return InProcessCluster(
            root: root, nodes: nodes, homes: homes, logger: logger, repair: repair, secret: secret,
            network: NetworkSettings(replicas: replicas, writeQuorum: writeQuorum, removalGraceSeconds: removalGraceSeconds))
    }

    /// Starts one more peer that joins through the first one; returns its index.
    func addPeer() async throws -> Int {
        let index = homes.count
        let address = HostPort(host: "127.0.0.1", port: try Scratch.freePort())
        let configuration = PeerConfiguration(
            listen: address, advertise: address, api: HostPort(host: "127.0.0.1", port: 0), zone: "z\(index % 3)",
            capacity: 1 << 30, seeds: [try homes[0].configuration().advertise.description], network: network)
        let home = try PeerHome.create(at: root + "/p\(index)", configuration: configuration, networkSecret: secret)
        let node = try PeerNode(home: home, repairConfiguration: repair, logger: logger)
        _ = try await node.start()
        homes.append(home)
        nodes.append(node)
        return index
    }

    func restart(_ index: Int) async throws -> PeerNode {
        let node = try PeerNode(home: homes[index], repairConfiguration: repair, logger: logger)
        _ = try await node.start()
        nodes[index] = node
        return node
    }

    /// Generous by default: on a loaded machine SWIM may suspect a slow peer for a while.
    func waitUntilAllSee(alive count: Int, timeout: Duration = .seconds(60)) async -> Bool {
        await waitUntil(timeout: timeout) {
            for node in self.nodes where await node.status().peers.filter({ $0.state == "alive" }).count != count { return false }
            return true
        }
    }

    func waitUntil(timeout: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(50), condition)
    }

    /// Every chunk id of a file: data chunks and manifest nodes.
    func chunkIDs(of capability: Capability) async throws -> [ChunkID] {
        try await nodes[0].chunkIDs(of: capability)
    }

    func hintCount() async -> Int {
        var total = 0
        for node in nodes { total += await node.pendingHints() }
        return total
    }

    func stop() async {
        for node in nodes { await node.stop() }
        try? FileManager.default.removeItem(atPath: root)
    }
}
