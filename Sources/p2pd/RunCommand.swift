import API
import APIModel
import ArgumentParser
import FolderSync
import Foundation
import Home
import Logging
import Metrics
import Peer
import Prometheus
import S3Gateway
import ServiceLifecycle
import Transport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the peer in the foreground; SIGINT or SIGTERM stops it gracefully.")
    @OptionGroup var home: HomeOption
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (default: config).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object per line, for log collectors.")
    var logFormat = "text"
    @Option(name: .customLong("repair-interval"), help: "Pause between repair passes over the local chunks (default $P2P_REPAIR_INTERVAL, else 60s; docs/repair.md).")
    var repairInterval: String?
    @Flag(name: .customLong("leave-on-stop"), help: "On SIGINT/SIGTERM, hand every chunk to its other owners and wait for their confirmation before announcing the departure (docs/repair.md). Without it the peer announces it left at once.")
    var leaveOnStop = false
    @Option(name: .customLong("s3"), help: "Serve the S3-compatible gateway at HOST:PORT (docs/s3.md); off by default. A port alone binds 127.0.0.1.")
    var s3: String?
    @Option(name: .customLong("s3-region"), help: "The region S3 clients sign for (default us-east-1).")
    var s3Region = "us-east-1"
    @Option(name: .customLong("s3-domain"), help: "Accept virtual-host-style S3 requests for BUCKET.DOMAIN (default: path style only).")
    var s3Domain: String?
    @Option(name: .customLong("handoff-timeout"), help: "With --leave-on-stop: the longest wait for the owners' confirmations before leaving anyway (default 10m).")
    var handOffTimeout: String?

    func run() async throws {
        let peerHome = home.peerHome
        let configuration = try peerHome.configuration()
        do {
            try await serve(peerHome, configuration)
        } catch {
            throw DaemonError.explaining(error, home: peerHome, configuration: configuration)
        }
    }

    private func serve(_ peerHome: PeerHome, _ configuration: PeerConfiguration) async throws {
        let levelName = logLevel ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else { throw PeerHomeError.badSetting("unknown log level \(levelName)") }
        guard ["text", "json"].contains(logFormat) else { throw PeerHomeError.badSetting("--log-format must be text or json") }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "p2pd")
        // One registry per process: everything recorded through swift-metrics, served at /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DescribedMetricsFactory(
            registry: registry, descriptions: NodeMetrics.descriptions.merging(TransportMetrics.descriptions) { first, _ in first }))
        TransportMetrics.registerSeries()
        var repair = RepairConfiguration()
        if let repairInterval = repairInterval ?? ProcessInfo.processInfo.environment["P2P_REPAIR_INTERVAL"] {
            guard let seconds = SizeParser.seconds(repairInterval) else { throw PeerHomeError.badSetting("--repair-interval must be a duration like 30s") }
            repair.passInterval = .seconds(seconds)
        }
        var handOff: Duration?
        if leaveOnStop {
            guard let seconds = SizeParser.seconds(handOffTimeout ?? "10m") else { throw PeerHomeError.badSetting("--handoff-timeout must be a duration like 5m") }
            handOff = .seconds(seconds)
        } else if handOffTimeout != nil {
            throw PeerHomeError.badSetting("--handoff-timeout needs --leave-on-stop")
        }
        let node = try PeerNode(home: peerHome, repairConfiguration: repair, logger: logger)
        var timing = SyncTiming()
        if let poll = ProcessInfo.processInfo.environment["P2P_SYNC_POLL"] {
            guard let seconds = SizeParser.seconds(poll) else { throw PeerHomeError.badSetting("P2P_SYNC_POLL must be a duration like 2s") }
            timing.pollInterval = .seconds(seconds)
        }
        if let delay = ProcessInfo.processInfo.environment["P2P_SYNC_TOMBSTONE_DELAY"] {
            guard let seconds = SizeParser.seconds(delay) else {
                throw PeerHomeError.badSetting("P2P_SYNC_TOMBSTONE_DELAY must be a duration like 5s")
            }
            timing.tombstoneDelay = .seconds(seconds)
        }
        let sync = try SyncService(
            directory: peerHome.file("sync"), network: PeerSyncNetwork(node: node), timing: timing,
            logger: Logger(label: "p2pd.sync"))
        var releaseQuiet: TimeInterval = 60
        if let quiet = ProcessInfo.processInfo.environment["P2P_S3_RELEASE_QUIET"] {
            guard let seconds = SizeParser.seconds(quiet) else { throw PeerHomeError.badSetting("P2P_S3_RELEASE_QUIET must be a duration like 5s") }
            releaseQuiet = TimeInterval(seconds)
        }
        let realm = try S3Realm(network: PeerS3Network(node: node), logger: Logger(label: "p2pd.s3"), releaseQuiet: releaseQuiet)
        let api = APIServer(
            configuration: .init(address: configuration.api, token: try peerHome.apiToken()), status: node,
            files: node, metrics: (registry, node), sync: sync, peers: node, cache: node, s3Keys: RealmKeySource(realm: realm),
            logger: Logger(label: "p2pd.api"))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // After a drain the node's service returns: the API shuts down and p2pd exits 0.
            .init(
                service: PeerNodeService(node: node, sync: sync, realm: realm, handOffTimeout: handOff, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: api),
        ]
        if let s3 {
            guard let address = HostPort(parsing: s3.contains(":") ? s3 : "127.0.0.1:\(s3)") else {
                throw PeerHomeError.badSetting("--s3 must be HOST:PORT, like 127.0.0.1:3900")
            }
            let gateway = try S3Gateway(
                configuration: .init(host: address.host, port: address.port, region: s3Region, domain: s3Domain), realm: realm,
                uploadsDirectory: peerHome.file("s3-uploads"), logger: Logger(label: "p2pd.s3"))
            services.append(.init(service: gateway))
        }

        // Services stop in reverse order: the gateway and the API first, so no request reaches a stopped node.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
