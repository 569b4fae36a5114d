/// What `GET /v1/status` returns and `p2p status` prints: this peer's view of the network.
/// Documented with an example in docs/api.md; versioned so clients can tell formats apart.
public struct NodeStatus: Codable, Sendable, Equatable {
    /// One peer as this peer sees it.
    public struct PeerEntry: Codable, Sendable, Equatable {
        /// Full NodeID (52 base32 characters).
        public var nodeID: String
        public var address: String
        public var zone: String
        /// alive, suspect, dead or left.
        public var state: String
        public var incarnation: UInt64
        public var usedBytes: UInt64
        public var capacityBytes: UInt64
        public var chunkCount: UInt64
        /// True for the peer that answered.
        public var isSelf: Bool
        /// How long this peer takes to answer a small request from the one that answered:
        /// the least of its recent answer times, in milliseconds (what the link costs; reads
        /// ask the nearest replica first); absent for itself and before a first answer.
        public var answerMilliseconds: Double?

        public init(
            nodeID: String, address: String, zone: String, state: String, incarnation: UInt64,
            usedBytes: UInt64, capacityBytes: UInt64, chunkCount: UInt64, isSelf: Bool
        ) {
            self.nodeID = nodeID
            self.address = address
            self.zone = zone
            self.state = state
            self.incarnation = incarnation
            self.usedBytes = usedBytes
            self.capacityBytes = capacityBytes
            self.chunkCount = chunkCount
            self.isSelf = isSelf
        }
    }

    public var version: Int = 1
    /// NodeID of the peer that answered.
    public var node: String
    public var network: NetworkSettings
    /// Every peer known, this one included, sorted by NodeID.
    public var peers: [PeerEntry]

    /// This peer's durability figures (`p2p status --durability`); absent from peers that predate them.
    public var durability: Durability?

    /// This peer's background workers (repair, scrub, membership, …), sorted by name;
    /// absent from peers that predate them.
    public var workers: [Worker]?

    /// Garbage collection on this peer; absent from peers that predate it.
    public var gc: Collection?

    public init(node: String, network: NetworkSettings, peers: [PeerEntry]) {
        self.node = node
        self.network = network
        self.peers = peers
    }
}

extension NodeStatus {
    /// What the last repair pass found about the chunks this peer holds, and what scrub did.
    /// Replicas are counted on each chunk's current preference list, as confirmed by the
    /// owners themselves (`hasChunks`); a peer that did not answer counts as not holding.
    public struct Durability: Codable, Sendable, Equatable {
        /// Repair passes completed since the peer started.
        public var passes: Int = 0
        /// Local chunks examined by the last pass.
        public var chunks: Int = 0
        /// Chunks with at least N confirmed replicas on their preference list.
        public var atN: Int = 0
        /// Chunks with between 1 and N-1 confirmed replicas.
        public var belowN: Int = 0
        /// Chunks with no confirmed replica on their preference list (held here off-list only).
        public var zeroKnownReplicas: Int = 0
        /// Copies still to make or to drop after the last pass: missing replicas that could not
        /// be pushed, surplus local copies not yet confirmed elsewhere, and pending hints.
        public var backlog: Int = 0
        /// Copies pushed to other peers since the peer started, and their bytes.
        public var pushedCopies: Int = 0
        public var pushedBytes: UInt64 = 0
        /// Local copies deleted after every new owner confirmed holding them.
        public var surplusDeleted: Int = 0
        /// Seconds the last pass took.
        public var lastPassSeconds: Double = 0
        /// Chunks re-hashed by scrub, corrupt ones found, and those fetched again from a replica.
        public var scrubbed: Int = 0
        public var corruptFound: Int = 0
        public var corruptRepaired: Int = 0

        public init() {}
    }
}

extension NodeStatus {
    /// One background worker of the peer and its last run.
    public struct Worker: Codable, Sendable, Equatable {
        public var name: String
        /// running, idle, backoff (its last run failed) or stopped.
        public var state: String
        /// Runs completed since the peer started, and how many of them failed.
        public var runs: Int
        public var failures: Int
        /// When the last run started (seconds since 1970) and how long it took.
        public var lastRunStarted: Double?
        public var lastRunSeconds: Double?
        /// The last failure's reason, while the worker is backing off.
        public var lastError: String?

        public init(
            name: String, state: String, runs: Int = 0, failures: Int = 0, lastRunStarted: Double? = nil,
            lastRunSeconds: Double? = nil, lastError: String? = nil
        ) {
            self.name = name
            self.state = state
            self.runs = runs
            self.failures = failures
            self.lastRunStarted = lastRunStarted
            self.lastRunSeconds = lastRunSeconds
            self.lastError = lastError
        }
    }
}
