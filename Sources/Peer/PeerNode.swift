import APIModel
import ChunkStore
import Foundation
import Home
import Logging
import Membership
import Metrics
import NIOCore
import Ring
import Transport

/// A running peer: listens for other peers, runs SWIM membership over the admitted TLS
/// connections, and keeps its address book and chunks in its store.
public actor PeerNode {
    let home: PeerHome
    let configuration: PeerConfiguration
    let credentials: PeerCredentials
    let logger: Logger
    let store: ChunkStore
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    var membership: MembershipStateMachine
    private var server: TransportServer?
    /// Outgoing connections, shared by membership and the data path.
    nonisolated let pool: PeerPool
    nonisolated let local: LocalChunks
    /// Signed records held here, leases granted to subscribers, and this node's own subscriptions.
    nonisolated let records: LocalRecords
    nonisolated let leases = RecordLeases()
    nonisolated let listeners = RecordListeners()
    public nonisolated let placement: Placement
    /// Counters, histograms and gauges of this node (docs/api.md lists them).
    public nonisolated let metrics: NodeMetrics
    private var ticker: Task<Void, Never>?
    /// Set by `stop`: a stopped node ignores packets and sends nothing.
    var isStopped = false
    private var background: Task<Void, Never>?
    private let service: PeerService
    private var helloConnections: [String: PeerConnection] = [:]
    var lastMetaUpdateTime: Duration = .zero
    let repairConfiguration: RepairConfiguration
    var healing: [Task<Void, Never>] = []
    /// Figures of the last repair pass and of scrub so far (`NodeStatus.durability`).
    var durability = NodeStatus.Durability()
    /// Set when the placement changed (a peer suspect, dead, gone or new): the repair loop
    /// starts its next pass at once rather than at the end of its pause.
    var repairRequested = false
    /// How many times the placement was rebuilt (membership changes, the periodic
    /// refresh): a flood of members must not turn into a flood of ring builds.
    public internal(set) var placementRebuilds = 0

    public init(
        home: PeerHome, membershipConfiguration: MembershipConfiguration = MembershipConfiguration(),
        repairConfiguration: RepairConfiguration = RepairConfiguration(),
        metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) throws {
        self.home = home
        self.repairConfiguration = repairConfiguration
        self.configuration = try home.configuration()
        self.credentials = try home.credentials()
        self.logger = logger
        self.store = try ChunkStore(root: home.dataDirectory, capacity: configuration.capacity, logger: logger)
        self.origin = clock.now
        self.metrics = NodeMetrics(factory: metrics)
        self.local = LocalChunks(store: store)
        self.records = LocalRecords(store: store)
        self.placement = Placement(PlacementSnapshot(
            ring: Ring(members: []), peers: [:], replicas: configuration.network.replicas, writeQuorum: configuration.network.writeQuorum))
        let service = PeerService(
            local: LocalChunks(store: store), advertise: configuration.advertise, metrics: self.metrics, logger: logger)
        self.service = service
        self.pool = PeerPool(connector: PeerConnector(credentials: credentials, service: service, logger: logger))
        let usage = store.usage
        // Unix seconds only grow across restarts, so a restarted peer outranks its old self.
        let local = MemberRecord(
            id: MemberID(bytes: credentials.nodeID.bytes)!, address: configuration.advertise.description,
            zone: configuration.zone, capacity: configuration.capacity,
            meta: MemberMeta(usedBytes: usage.used, chunkCount: UInt64(usage.count)),
            incarnation: UInt64(Date().timeIntervalSince1970))
        var seed: UInt64 = 0
        for byte in credentials.nodeID.bytes.prefix(8) { seed = seed << 8 | UInt64(byte) }
        self.membership = MembershipStateMachine(
            local: local, configuration: membershipConfiguration,
            authenticator: NodeKeyAuthenticator(privateKey: credentials.privateKey),
            seed: seed ^ UInt64.random(in: 0...UInt64.max), now: .zero)
    }

    var now: Duration { clock.now - origin }
    public nonisolated var nodeID: NodeID { credentials.nodeID }

    /// Starts listening and joins the network through the seeds and the address book;
    /// returns the bound port.
    public func start() async throws -> Int {
        service.attach(self)
        let server = try await TransportServer.start(
            host: configuration.listen.host, port: configuration.listen.port, credentials: credentials,
            service: service, logger: logger)
        self.server = server
        logger.info("peer started", metadata: ["node": "\(credentials.nodeID)", "listen": "\(server.localAddress)"])

        let known = (try? store.peers().map(\.address)) ?? []
        let me = configuration.advertise.description
        var seeds: [String] = []
        for address in configuration.seeds + known where address != me && !seeds.contains(address) { seeds.append(address) }
        rebuildPlacement()
        perform(membership.join(seeds: seeds, now: now))
        ticker = Task { await self.runTicks() }
        background = Task { await self.runBackgroundWork() }
        if repairConfiguration.isEnabled {
            healing = [Task { await self.runRepairLoop() }, Task { await self.runScrubLoop() }]
        }
        return server.port
    }

    /// Announces `left`, lets the announcement spread for a moment, and closes everything.
    /// With `announceLeave: false` the peer just vanishes, as in a crash (for tests).
    public func stop(announceLeave: Bool = true) async {
        ticker?.cancel()
        ticker = nil
        background?.cancel()
        background = nil
        for task in healing { task.cancel() }
        healing = []
        if announceLeave {
            perform(membership.leave(now: now))
            let end = now + .seconds(1)
            while now < end {
                try? await Task.sleep(for: .milliseconds(100))  // let the leave gossip go out
                perform(membership.tick(now: now))
            }
        }
        isStopped = true
        listeners.finishAll()
        for connection in helloConnections.values { await connection.close() }
        helloConnections = [:]
        await pool.closeAll()
        await server?.close()
        do { try store.close() } catch { logger.warning("closing the store failed", metadata: ["error": "\(error)"]) }
        logger.info("peer stopped")
    }

    /// Contacts every configured seed not yet greeted and exchanges a hello with it: a
    /// diagnostic that shows admission between two peers in the logs.
    public func contactSeeds() async {
        for seed in configuration.seeds where helloConnections[seed]?.isActive != true {
            guard seed != configuration.advertise.description else { continue }
            do {
                let connection = try await pool.connection(to: seed, expecting: nil)
                let answer = try await connection.call(PeerMethod.hello, ByteBuffer(string: configuration.advertise.description), timeout: .seconds(5))
                helloConnections[seed] = connection
                logger.info("admitted by peer and exchanged hello", metadata: [
                    "peer": "\(connection.peer.short)", "address": "\(String(buffer: answer))",
                ])
            } catch {
                logger.warning("cannot reach seed", metadata: ["seed": "\(seed)", "error": "\(error)"])
            }
        }
    }

    private func runTicks() async {
        while !Task.isCancelled {
            let wait = min(max(membership.nextDeadline - now, .milliseconds(5)), .milliseconds(200))
            try? await Task.sleep(for: wait)  // the protocol's own timer, not synchronization
            if Task.isCancelled { break }
            perform(membership.tick(now: now))
            refreshMetaIfDue()
        }
    }

    /// Slow periodic work: placement refresh (removal grace) and hinted handoff.
    private func runBackgroundWork() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))  // work period, not synchronization
            if Task.isCancelled { break }
            rebuildPlacement()
            leases.pruneExpired(now: .now)
            await handOffHints()
        }
    }
}
