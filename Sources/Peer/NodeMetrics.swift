import APIModel
import Metrics
import Workers

/// What a node counts and measures, through swift-metrics: file puts and gets, RPCs
/// served, and gauges of its view of the network refreshed on each scrape.
///
/// The factory is injected so tests can give each node its own registry; `p2pd` passes
/// the process-wide one.
public struct NodeMetrics: Sendable {
    enum Name {
        static let peers = "p2p_peers"
        static let chunks = "p2p_chunks_stored"
        static let storedBytes = "p2p_stored_bytes"
        static let capacity = "p2p_capacity_bytes"
        static let hints = "p2p_hints_pending"
        static let puts = "p2p_put_operations_total"
        static let gets = "p2p_get_operations_total"
        static let putBytes = "p2p_put_bytes_total"
        static let getBytes = "p2p_get_bytes_total"
        static let putDuration = "p2p_put_duration_seconds"
        static let getDuration = "p2p_get_duration_seconds"
        static let rpcs = "p2p_rpc_requests_total"
        static let durability = "p2p_durability_chunks"
        static let backlog = "p2p_repair_backlog"
        static let passes = "p2p_repair_passes_total"
        static let pushedBytes = "p2p_repair_pushed_bytes_total"
        static let surplus = "p2p_repair_surplus_deleted_total"
        static let scrubbed = "p2p_scrub_chunks_total"
        static let workerRuns = "p2p_worker_runs_total"
        static let leaseBytes = "p2p_gc_bytes"
        static let sweeps = "p2p_gc_sweeps_total"
        static let reclaimedBytes = "p2p_gc_reclaimed_bytes_total"
        static let reclaimedChunks = "p2p_gc_reclaimed_chunks_total"
        static let ownedFiles = "p2p_gc_owned_files"
    }

    /// Name → HELP text of every metric a node records, for the exporter.
    public static let descriptions: [String: String] = [
        Name.peers: "Peers this peer knows, itself included, by SWIM state (alive, suspect, dead, left).",
        Name.chunks: "Chunks stored on this peer.",
        Name.storedBytes: "Bytes of chunks stored on this peer.",
        Name.capacity: "Bytes this peer offers for chunks.",
        Name.hints: "Chunks kept here for a peer that was down, waiting to be handed back (hinted handoff).",
        Name.puts: "Files stored through this peer's API, by outcome (success, failure).",
        Name.gets: "File reads (whole or ranged) served by this peer's API, by outcome (success, failure).",
        Name.putBytes: "Plaintext bytes of files stored through this peer's API.",
        Name.getBytes: "Plaintext bytes of files served by this peer's API.",
        Name.putDuration: "Time to store one file through this peer's API, until the write quorum acknowledged every chunk.",
        Name.getDuration: "Time to serve one file read through this peer's API, until its last byte.",
        Name.rpcs: "RPC requests served to other peers, by method and outcome (success, failure).",
        Name.durability: "Chunks held here, by replicas confirmed on their preference list in the last repair pass (at_n, below_n, zero).",
        Name.backlog: "Copies still to make or drop after the last repair pass, pending hints included.",
        Name.passes: "Repair passes completed over this peer's chunks.",
        Name.pushedBytes: "Chunk bytes pushed to other peers by repair passes.",
        Name.surplus: "Local copies deleted after every new owner confirmed holding them.",
        Name.scrubbed: "Chunks re-hashed by scrub, by result (intact, corrupt).",
        Name.workerRuns: "Runs of each background worker (repair, scrub, membership, …), by outcome (success, failure).",
        Name.leaseBytes: "Bytes stored here by lease state as of the last sweep (referenced, in_grace, collectable).",
        Name.sweeps: "Garbage collection sweeps completed over this peer's store.",
        Name.reclaimedBytes: "Chunk bytes removed by sweeps: chunks no owner referenced any more, after the grace.",
        Name.reclaimedChunks: "Chunks removed by sweeps.",
        Name.ownedFiles: "Files this peer stored as their owner and keeps leases on (p2p ls).",
    ]

    static let states = ["alive", "suspect", "dead", "left"]
    static let methods = PeerMethod.allCases.map(\.label) + ["unknown"]

    private let factory: any MetricsFactory
    private let peers: [String: Gauge]
    private let chunks: Gauge
    private let storedBytes: Gauge
    private let capacity: Gauge
    private let hints: Gauge
    private let putBytes: Counter
    private let getBytes: Counter
    private let putDuration: Timer
    private let getDuration: Timer
    private let durability: [String: Gauge]
    private let backlog: Gauge
    private let passes: Counter
    private let pushedBytes: Counter
    private let surplus: Counter
    private let scrubbed: [Bool: Counter]
    private let leaseBytes: [String: Gauge]
    private let sweeps: Counter
    private let reclaimedBytes: Counter
    private let reclaimedChunks: Counter
    private let ownedFiles: Gauge
    /// The outcome counters, made once: a counter made per call costs a registry lookup
    /// (labels joined, a lock taken) on every RPC.
    private let puts: [Bool: Counter]
    private let gets: [Bool: Counter]
    private let rpcs: [String: [Bool: Counter]]

    public init(factory: any MetricsFactory) {
        self.factory = factory
        var peers: [String: Gauge] = [:]
        for state in Self.states { peers[state] = Gauge(label: Name.peers, dimensions: [("state", state)], factory: factory) }
        self.peers = peers
        chunks = Gauge(label: Name.chunks, factory: factory)
        storedBytes = Gauge(label: Name.storedBytes, factory: factory)
        capacity = Gauge(label: Name.capacity, factory: factory)
        hints = Gauge(label: Name.hints, factory: factory)
        putBytes = Counter(label: Name.putBytes, factory: factory)
        getBytes = Counter(label: Name.getBytes, factory: factory)
        putDuration = Timer(label: Name.putDuration, factory: factory)
        getDuration = Timer(label: Name.getDuration, factory: factory)
        var durability: [String: Gauge] = [:]
        for level in ["at_n", "below_n", "zero"] {
            durability[level] = Gauge(label: Name.durability, dimensions: [("replicas", level)], factory: factory)
        }
        self.durability = durability
        backlog = Gauge(label: Name.backlog, factory: factory)
        passes = Counter(label: Name.passes, factory: factory)
        pushedBytes = Counter(label: Name.pushedBytes, factory: factory)
        surplus = Counter(label: Name.surplus, factory: factory)
        scrubbed = [
            false: Counter(label: Name.scrubbed, dimensions: [("result", "intact")], factory: factory),
            true: Counter(label: Name.scrubbed, dimensions: [("result", "corrupt")], factory: factory),
        ]
        var leaseBytes: [String: Gauge] = [:]
        for state in ["referenced", "in_grace", "collectable"] {
            leaseBytes[state] = Gauge(label: Name.leaseBytes, dimensions: [("state", state)], factory: factory)
        }
        self.leaseBytes = leaseBytes
        sweeps = Counter(label: Name.sweeps, factory: factory)
        reclaimedBytes = Counter(label: Name.reclaimedBytes, factory: factory)
        reclaimedChunks = Counter(label: Name.reclaimedChunks, factory: factory)
        ownedFiles = Gauge(label: Name.ownedFiles, factory: factory)
        // Every labelled series exists from the start, at zero.
        func outcomes(_ label: String, _ dimensions: [(String, String)] = []) -> [Bool: Counter] {
            [true: "success", false: "failure"].mapValues { outcome in
                Counter(label: label, dimensions: dimensions + [("outcome", outcome)], factory: factory)
            }
        }
        puts = outcomes(Name.puts)
        gets = outcomes(Name.gets)
        rpcs = Dictionary(uniqueKeysWithValues: Self.methods.map { ($0, outcomes(Name.rpcs, [("method", $0)])) })
    }

    /// One file stored (or not) through the API.
    public func recordPut(bytes: UInt64, duration: Duration, succeeded: Bool) {
        puts[succeeded]?.increment()
        putBytes.increment(by: Int64(clamping: bytes))
        if succeeded { putDuration.record(duration: duration) }
    }

    /// One file read (or not) through the API; `bytes` counts what was sent.
    public func recordGet(bytes: UInt64, duration: Duration, succeeded: Bool) {
        gets[succeeded]?.increment()
        getBytes.increment(by: Int64(clamping: bytes))
        if succeeded { getDuration.record(duration: duration) }
    }

    func recordRPC(method: UInt16, succeeded: Bool) {
        rpcs[PeerMethod(rawValue: method)?.label ?? "unknown"]?[succeeded]?.increment()
    }

    /// One repair pass done: its copies pushed and surplus copies dropped.
    func recordRepairPass(pushedBytes bytes: UInt64, surplusDeleted: Int) {
        passes.increment()
        pushedBytes.increment(by: Int64(clamping: bytes))
        surplus.increment(by: surplusDeleted)
    }

    /// One run of a background worker.
    public func recordWorkerRun(worker: String, failed: Bool) {
        Counter(label: Name.workerRuns, dimensions: [("worker", worker), ("outcome", failed ? "failure" : "success")], factory: factory)
            .increment()
    }

    /// One chunk re-hashed by scrub.
    func recordScrub(corrupt: Bool) {
        scrubbed[corrupt]?.increment()
    }

    /// The durability gauges, from the last repair pass (`NodeStatus.Durability`).
    func update(durability figures: NodeStatus.Durability) {
        durability["at_n"]?.record(figures.atN)
        durability["below_n"]?.record(figures.belowN)
        durability["zero"]?.record(figures.zeroKnownReplicas)
        backlog.record(figures.backlog)
    }

    /// One sweep done: what it removed.
    func recordSweep(chunks: Int, bytes: UInt64) {
        sweeps.increment()
        reclaimedChunks.increment(by: chunks)
        reclaimedBytes.increment(by: Int64(clamping: bytes))
    }

    /// The garbage-collection gauges (`NodeStatus.Collection`).
    func update(collection figures: NodeStatus.Collection) {
        leaseBytes["referenced"]?.record(figures.referencedBytes)
        leaseBytes["in_grace"]?.record(figures.inGraceBytes)
        leaseBytes["collectable"]?.record(figures.collectableBytes)
        ownedFiles.record(figures.ownedFiles)
    }

    func update(peersByState: [String: Int], chunkCount: UInt64, usedBytes: UInt64, capacityBytes: UInt64, pendingHints: Int) {
        for (state, gauge) in peers { gauge.record(peersByState[state] ?? 0) }
        chunks.record(chunkCount)
        storedBytes.record(usedBytes)
        capacity.record(capacityBytes)
        hints.record(pendingHints)
    }
}

extension NodeMetrics: WorkerMetrics {}
