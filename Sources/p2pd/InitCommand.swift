import APIModel
import ArgumentParser
import Foundation
import Home
import OpenSSLKit
import Peer

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a peer home: identity, secrets, configuration. Prints the NodeID.")

    @OptionGroup var home: HomeOption
    @Option(help: "Address for peer traffic (host:port).") var listen = "0.0.0.0:7400"
    @Option(help: "Address for the local HTTP API (host:port).") var api = "127.0.0.1:7401"
    @Option(help: "Address other peers use to reach this one (default: --listen).") var advertise: String?
    @Option(help: "Failure domain of this machine.") var zone = "default"
    @Option(help: "Bytes offered for chunks (K, M, G suffixes).") var capacity = "10G"
    @Option(help: "Bytes of chunks read from other peers kept for the next read (mounts, repeated gets).") var cacheSize = "1G"
    @Option(help: "Join an existing network with a token from `p2pd token`.") var join: String?
    @Option(help: "Replicas per chunk (new network only).") var replicas: Int?
    @Option(name: .customLong("write-quorum"), help: "Acknowledgements per write (new network only).") var writeQuorum: Int?
    @Option(name: .customLong("removal-grace"), help: "How long a dead peer keeps its place (new network only).") var removalGrace: String?
    @Option(name: .customLong("gc-grace"), help: "How long an unreferenced chunk is kept before it is collected (default 48h; new network only).")
    var gcGrace: String?
    @Option(name: .customLong("gc-interval"), help: "Pause between two garbage collection sweeps of this peer (default 1h).")
    var gcInterval: String?

    func run() async throws {
        guard let listenAddress = HostPort(parsing: listen) else { throw PeerHomeError.badSetting("--listen must be host:port, got \(listen)") }
        guard let apiAddress = HostPort(parsing: api) else { throw PeerHomeError.badSetting("--api must be host:port, got \(api)") }
        var advertiseAddress = listenAddress
        if let advertise {
            guard let parsed = HostPort(parsing: advertise) else { throw PeerHomeError.badSetting("--advertise must be host:port") }
            advertiseAddress = parsed
        } else if listenAddress.host == "0.0.0.0" || listenAddress.host == "::" {
            advertiseAddress = HostPort(host: "127.0.0.1", port: listenAddress.port)
        }
        guard let capacityBytes = SizeParser.bytes(capacity) else { throw PeerHomeError.badSetting("--capacity must be a size like 500M or 2G") }
        guard let cacheBytes = SizeParser.bytes(cacheSize) else { throw PeerHomeError.badSetting("--cache-size must be a size like 500M or 2G") }

        var network = NetworkSettings()
        let secret: [UInt8]
        var seeds: [String] = []
        if let join {
            if replicas != nil || writeQuorum != nil || removalGrace != nil || gcGrace != nil {
                throw PeerHomeError.badSetting(
                    "--replicas, --write-quorum, --removal-grace and --gc-grace are fixed by the network; omit them with --join")
            }
            let token = try JoinToken(parsing: join)
            secret = token.networkSecret
            seeds = token.seeds
            network = token.network ?? network
        } else {
            secret = try SecureRandom.bytes(count: PeerHome.networkSecretSize)
            network.replicas = replicas ?? network.replicas
            network.writeQuorum = writeQuorum ?? min(network.writeQuorum, network.replicas)
            if let removalGrace {
                guard let seconds = SizeParser.seconds(removalGrace) else { throw PeerHomeError.badSetting("--removal-grace must be a duration like 10m") }
                network.removalGraceSeconds = seconds
            }
            if let gcGrace {
                guard let seconds = SizeParser.seconds(gcGrace) else { throw PeerHomeError.badSetting("--gc-grace must be a duration like 48h") }
                network.collectionGraceSeconds = seconds
            } else {
                network.collectionGraceSeconds = NetworkSettings.defaultCollectionGrace
            }
            if let problem = network.problem { throw PeerHomeError.badSetting(problem) }
        }
        var sweepInterval: Int?
        if let gcInterval {
            guard let seconds = SizeParser.seconds(gcInterval), seconds >= 1 else {
                throw PeerHomeError.badSetting("--gc-interval must be a positive duration like 1h")
            }
            sweepInterval = seconds
        }
        let configuration = PeerConfiguration(
            listen: listenAddress, advertise: advertiseAddress, api: apiAddress, zone: zone, capacity: capacityBytes,
            seeds: seeds, network: network, gcIntervalSeconds: sweepInterval, cacheBytes: cacheBytes)
        let created = try PeerHome.create(at: home.peerHome.path, configuration: configuration, networkSecret: secret)
        if advertiseAddress.isLoopback && !listenAddress.isLoopback {
            // Listening for other machines while telling them to dial loopback: they never get in.
            FileHandle.standardError.write(Data("p2pd: warning: peers are told to reach this one at \(advertiseAddress), a loopback address, so `p2pd token` only works on this machine; give --advertise HOST:\(listenAddress.port) for other machines\n".utf8))
        }
        print(try created.nodeID())
    }
}

struct IDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "id", abstract: "Print this peer's NodeID.")
    @OptionGroup var home: HomeOption

    func run() async throws {
        print(try home.peerHome.nodeID())
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Print a join token. It contains the network secret: share it like a password.")
    @OptionGroup var home: HomeOption

    func run() async throws {
        print(try home.peerHome.joinToken())
    }
}

extension HostPort {
    /// 127.0.0.0/8, `::1` or `localhost`: reachable from this machine only.
    var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}
