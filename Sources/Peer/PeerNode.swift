import APIModel
import ChunkStore
import Content
import Foundation
import Home
import Logging
import Membership
import Metrics
import NIOCore
import Ring
import Transport
import Workers

/// A running peer, composed of services with one job each: the membership driver, the
/// chunk coordinator (put, get, locate), repair and hinted handoff, scrub, and signed
/// records. The node builds them, starts its background workers under one task group
/// and its listener, and stops them all; the services share the placement, the local
/// store and the connection pool, and reach other peers only through `PeerCalls`.
public actor PeerNode {
    let home: PeerHome
    let configuration: PeerConfiguration
    let credentials: PeerCredentials
    let logger: Logger
    let store: ChunkStore
    let repairConfiguration: RepairConfiguration
    /// Outgoing connections, shared by every service.
    nonisolated let pool: PeerPool
    nonisolated let local: LocalChunks
    public nonisolated let placement: Placement
    /// Counters, histograms and gauges of this node (docs/api.md lists them).
    public nonisolated let metrics: NodeMetrics
    nonisolated let background: BackgroundTasks
    nonisolated let workers = WorkerBoard()
    nonisolated let durability = DurabilityLedger()
    /// Fired when the placement changes: repair starts its next pass at once.
    private nonisolated let repairTrigger: WorkerTrigger
    nonisolated let membership: MembershipDriver
    nonisolated let chunks: ChunkCoordinator
    /// This user's convergent encryption, read from the home once (not on every put).
    nonisolated let cipher: ConvergentCipher
    nonisolated let repair: RepairService
    nonisolated let recordService: RecordService
    nonisolated let collector: GarbageCollector
    nonisolated let networkKeys: NetworkKeyService
    /// Chunks read from other peers, kept for the next read (`p2p cache`, `p2p pin`).
    public nonisolated let cache: ChunkCache
    private let addressBook: StoredAddressBook
    private let service: PeerService
    private var server: TransportServer?
    /// The background workers and jobs: one task whose children they all are.
    private var running: Task<Void, Never>?
    /// Repair and scrub, stopped first when the peer leaves.
    private var healing: Task<Void, Never>?
    private var helloConnections: [String: PeerConnection] = [:]
    /// The hand-off of a leave or drain, pass by pass (`GET /v1/drain`); nil before one.
    var handOffProgress: DrainProgress?
    /// Drain requests from the operator (`p2p peer drain`): `p2pd` waits on them beside
    /// SIGTERM, and drains when one comes (`PeerNode+Administration`).
    public nonisolated let drainRequests: AsyncStream<Void>
    nonisolated let drainRequested: AsyncStream<Void>.Continuation

    public init(
        home: PeerHome, membershipConfiguration: MembershipConfiguration = MembershipConfiguration(),
        repairConfiguration: RepairConfiguration = RepairConfiguration(),
        metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) throws {
        let configuration = try home.configuration()
        let credentials = try home.credentials()
        let store = try ChunkStore(root: home.dataDirectory, capacity: configuration.capacity, logger: logger)
        let network = configuration.network
        let local = LocalChunks(store: store)
        let placement = Placement(PlacementSnapshot(
            ring: Ring(members: []), peers: [:], replicas: network.replicas, writeQuorum: network.writeQuorum))
        // Outgoing connections serve no requests: peers call each other on their own connections.
        let pool = PeerPool(connector: PeerConnector(credentials: credentials, logger: logger))
        let background = BackgroundTasks(), repairTrigger = WorkerTrigger(), addressBook = StoredAddressBook(store: store)
        let nodeMetrics = NodeMetrics(factory: metrics)
        let membership = MembershipDriver(
            machine: Self.membershipMachine(configuration: configuration, credentials: credentials, store: store, membershipConfiguration),
            placement: placement, network: network, calls: pool, background: background, book: addressBook,
            usage: { let usage = store.usage; return MemberMeta(usedBytes: usage.used, chunkCount: UInt64(usage.count)) },
            placementChanged: repairTrigger, logger: logger)
        let records = RecordService(
            placement: placement, records: LocalRecords(store: store), leases: RecordLeases(), listeners: RecordListeners(), calls: pool,
            background: background, nodeID: credentials.nodeID, configuration: repairConfiguration, logger: logger)
        (drainRequests, drainRequested) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.home = home
        self.configuration = configuration
        self.credentials = credentials
        self.logger = logger
        self.store = store
        self.repairConfiguration = repairConfiguration
        self.pool = pool
        self.local = local
        self.placement = placement
        self.metrics = nodeMetrics
        self.background = background
        self.repairTrigger = repairTrigger
        self.addressBook = addressBook
        self.membership = membership
        self.recordService = records
        let cache = try ChunkCache(directory: home.cacheDirectory, capacity: configuration.cacheCapacity, logger: logger)
        self.cache = cache
        self.chunks = ChunkCoordinator(
            placement: placement, local: local, calls: pool, latencies: pool.latencies, background: background, logger: logger, cache: cache)
        self.cipher = try ConvergentCipher(convergenceSecret: home.convergenceSecret())
        self.repair = RepairService(placement: placement, local: local, calls: pool, configuration: repairConfiguration, logger: logger)
        self.collector = GarbageCollector(
            placement: placement, local: local, calls: pool, owner: credentials.nodeID,
            grace: TimeInterval(network.collectionGrace), sweepInterval: TimeInterval(configuration.sweepInterval),
            ledger: CollectionLedger(settings: Self.collectionFigures(configuration)),
            warmup: Self.warmup(configuration: configuration, store: store), metrics: nodeMetrics, logger: logger)
        let networkKeys = NetworkKeyService(
            keyring: credentials.keyring, home: home, nodeKey: credentials.privateKey, localID: credentials.nodeID, calls: pool,
            membership: membership, logger: logger)
        self.networkKeys = networkKeys
        self.service = PeerService(
            chunks: ChunkRequests(local: local, placement: placement), membership: membership, records: records, networkKeys: networkKeys,
            advertise: configuration.advertise, metrics: nodeMetrics, logger: logger)
    }

    /// The SWIM state machine for this peer. Unix seconds only grow across restarts, so a
    /// restarted peer outranks its old self.
    private static func membershipMachine(
        configuration: PeerConfiguration, credentials: PeerCredentials, store: ChunkStore, _ membershipConfiguration: MembershipConfiguration
    ) -> MembershipStateMachine {
        let usage = store.usage
        let local = MemberRecord(
            id: credentials.nodeID.identifier, address: configuration.advertise.description,
            zone: configuration.zone, capacity: configuration.capacity,
            meta: MemberMeta(usedBytes: usage.used, chunkCount: UInt64(usage.count)),
            incarnation: UInt64(Date().timeIntervalSince1970))
        var seed: UInt64 = 0
        for byte in credentials.nodeID.bytes.prefix(8) { seed = seed << 8 | UInt64(byte) }
        return MembershipStateMachine(
            local: local, configuration: membershipConfiguration,
            authenticator: NodeKeyAuthenticator(privateKey: credentials.privateKey),
            seed: seed ^ UInt64.random(in: 0...UInt64.max), now: .zero)
    }

    public nonisolated var nodeID: NodeID { credentials.nodeID }

    /// Starts listening, starts the workers and joins the network through the seeds and
    /// the address book; returns the bound port.
    public func start() async throws -> Int {
        let server = try await TransportServer.start(
            host: configuration.listen.host, port: configuration.listen.port, credentials: credentials,
            service: service, logger: logger)
        self.server = server
        logger.info("peer started", metadata: ["node": "\(credentials.nodeID)", "listen": "\(server.localAddress)"])
        // Revocations: the revoked are never placed and their connections close; a peer
        // that admitted this one with an older key has newer keys to fetch.
        let (pool, keys, jobs) = (pool, networkKeys, background)
        await networkKeys.onRevoked { revoked in
            await pool.close(peers: revoked)
            await server.closeConnections(from: revoked)
        }
        await networkKeys.start()
        credentials.keyring.onBehind { peer, address in _ = jobs.spawn { await keys.catchUp(from: peer, at: address) } }

        let known = (try? addressBook.addresses()) ?? []
        let me = configuration.advertise.description
        var seeds: [String] = []
        for address in configuration.seeds + known where address != me && !seeds.contains(address) { seeds.append(address) }
        await membership.join(seeds: seeds)
        let runners = engineWorkers
        let healers = repairConfiguration.isEnabled ? healingWorkers : []
        let (background, addressBook, board, metrics, logger) = (background, addressBook, workers, metrics, logger)
        running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await background.run() }
                group.addTask { await addressBook.run(logger: logger) }
                for runner in runners { group.addTask { await runner.run(board: board, metrics: metrics, logger: logger) } }
            }
        }
        healing = Task {
            await withDiscardingTaskGroup { group in
                for runner in healers { group.addTask { await runner.run(board: board, metrics: metrics, logger: logger) } }
            }
        }
        return server.port
    }

    /// How this peer knows its view of the network is complete again after a start: the
    /// members its address book lists as alive or suspect.
    private static func warmup(configuration: PeerConfiguration, store: ChunkStore) -> ViewWarmup {
        let book = (try? store.peers()) ?? []
        let expected = book.filter { $0.state == .alive || $0.state == .suspect }.compactMap { NodeID(bytes: $0.nodeID) }
        return ViewWarmup(expected: Set(expected), contactsOthers: !configuration.seeds.isEmpty || !book.isEmpty)
    }

    /// The settings part of the garbage-collection figures.
    private static func collectionFigures(_ configuration: PeerConfiguration) -> NodeStatus.Collection {
        var figures = NodeStatus.Collection()
        figures.graceSeconds = configuration.network.collectionGrace
        figures.sweepIntervalSeconds = configuration.sweepInterval
        figures.renewalIntervalSeconds = Int(GarbageCollector.renewalInterval(grace: Double(configuration.network.collectionGrace)))
        figures.leaseSeconds = Int(GarbageCollector.leaseLength)
        return figures
    }

    /// The workers every running peer has: membership ticks, the periodic placement
    /// refresh (removal grace), lease pruning, hinted handoff, the hello to the seeds, and
    /// garbage collection (renewing this owner's leases, sweeping this holder's store).
    private var engineWorkers: [WorkerRunner] {
        let (membership, leases, hints) = (membership, recordService.leases, HintService(placement: placement, local: local, calls: pool, logger: logger))
        let collector = collector
        return [
            WorkerRunner(TaskWorker("seeds") { [weak self] in
                await self?.contactSeeds()
                return .idle(.seconds(2))
            }),
            WorkerRunner(TaskWorker("membership") { .idle(await membership.tick()) }),
            WorkerRunner(TaskWorker("placement") {
                await membership.rebuildPlacement()
                return .idle(.seconds(1))
            }),
            WorkerRunner(TaskWorker("leases") {
                leases.pruneExpired(now: .now)
                return .idle(.seconds(1))
            }),
            WorkerRunner(TaskWorker("hints") {
                try await hints.handOff()
                return .idle(.seconds(1))
            }),
            WorkerRunner(TaskWorker("gc-renew") {
                if collector.ledger.firstStart() { return .idle(.seconds(collector.retryInterval)) }
                let report = try await collector.renewAll()
                // A holder that did not answer is asked again soon, not in a day.
                return .idle(.seconds(report.failures > 0 ? collector.retryInterval : collector.renewalInterval))
            }),
            // A release a holder missed (down, cut off) is delivered once it is back, within
            // seconds: until then it keeps the lease, and its copy looks below N.
            WorkerRunner(TaskWorker("gc-releases") {
                try await collector.retryReleases()
                return .idle(.seconds(5))
            }),
            WorkerRunner(TaskWorker("gc-sweep") {
                _ = try await collector.sweep()
                return .idle(.seconds(collector.sweepInterval))
            }),
        ]
    }

    /// Repair and scrub (off with `RepairConfiguration.isEnabled` false).
    private var healingWorkers: [WorkerRunner] {
        let scrub = ScrubService(
            placement: placement, local: local, reader: chunks.reader, settings: repairConfiguration, ledger: durability, metrics: metrics,
            logger: logger)
        let repairWorker = RepairWorker(chunks: repair, records: recordService, ledger: durability, metrics: metrics)
        return [WorkerRunner(repairWorker, trigger: repairTrigger, minimumPause: RepairWorker.minimumPause), WorkerRunner(scrub)]
    }

    /// Stops repair and scrub and waits until they have.
    func stopHealing() async {
        healing?.cancel()
        await healing?.value
        healing = nil
    }

    /// Announces `left`, lets the announcement spread for a moment, and closes everything.
    /// With `announceLeave: false` the peer just vanishes, as in a crash (for tests).
    public func stop(announceLeave: Bool = true) async {
        await stopHealing()
        if announceLeave { await membership.leave() }
        await membership.stop()
        background.finish()
        running?.cancel()
        await running?.value
        running = nil
        recordService.listeners.finishAll()
        for connection in helloConnections.values { await connection.close() }
        helloConnections = [:]
        await pool.closeAll()
        await server?.close()
        do { try store.close() } catch { logger.warning("closing the store failed", metadata: ["error": "\(error)"]) }
        logger.info("peer stopped")
    }

    /// Contacts every configured seed not yet greeted and exchanges a hello with it: a
    /// diagnostic that shows admission between two peers in the logs.
    func contactSeeds() async {
        for seed in configuration.seeds where helloConnections[seed]?.isActive != true {
            guard seed != configuration.advertise.description else { continue }
            do {
                let connection = try await pool.connection(to: seed, expecting: nil)
                let answer = try await connection.call(ControlMessages.Hello(advertising: configuration.advertise.description), timeout: .seconds(5))
                helloConnections[seed] = connection
                logger.info("admitted by peer and exchanged hello", metadata: [
                    "peer": "\(connection.peer.short)", "address": "\(answer)",
                ])
            } catch {
                logger.warning("cannot reach seed", metadata: ["seed": "\(seed)", "error": "\(error)"])
            }
        }
    }
}
