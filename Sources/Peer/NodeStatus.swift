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

    public init(node: String, network: NetworkSettings, peers: [PeerEntry]) {
        self.node = node
        self.network = network
        self.peers = peers
    }
}
