/// The answer to `POST /v1/peers/{nodeID}/remove` (`p2p peer remove`): a failed peer taken
/// out of the placement at once, without waiting for the removal grace.
public struct PeerRemoval: Codable, Sendable, Equatable {
    /// The removed peer.
    public var nodeID: String
    /// The incarnation it failed at: a removal never applies to a later one.
    public var incarnation: UInt64
    /// Members told of the removal, of those still expected to answer.
    public var told: Int
    public var members: Int

    public init(nodeID: String, incarnation: UInt64, told: Int, members: Int) {
        self.nodeID = nodeID
        self.incarnation = incarnation
        self.told = told
        self.members = members
    }
}

/// The answer to `POST /v1/drain` and `GET /v1/drain` (`p2p peer drain`): how far this
/// peer is in handing its chunks off before it leaves.
public struct DrainProgress: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Handing off: passes over the local chunks until every one is at N elsewhere.
        case draining
        /// Every chunk is at N elsewhere; the peer announced that it left and stops.
        case left
    }

    public var state: State
    /// Chunks this peer held when the last pass began.
    public var chunks: Int
    /// Of those, chunks that every new owner confirmed in the last pass.
    public var confirmed: Int
    /// Of the confirmed, chunks with a new owner that is down (still below N).
    public var ownerDown: Int
    /// Copies pushed, and their bytes, over every pass.
    public var pushedCopies: Int
    public var pushedBytes: UInt64
    public var passes: Int
    /// Since the drain began.
    public var seconds: Double

    public init(
        state: State, chunks: Int = 0, confirmed: Int = 0, ownerDown: Int = 0, pushedCopies: Int = 0, pushedBytes: UInt64 = 0,
        passes: Int = 0, seconds: Double = 0
    ) {
        self.state = state
        self.chunks = chunks
        self.confirmed = confirmed
        self.ownerDown = ownerDown
        self.pushedCopies = pushedCopies
        self.pushedBytes = pushedBytes
        self.passes = passes
        self.seconds = seconds
    }

    /// Chunks at N on the other peers.
    public var atN: Int { confirmed - ownerDown }
}

/// The answer to `POST /v1/network/revoke` (`p2p network revoke`) and, without `told` and
/// `members`, to `GET /v1/network`: the network's key in force and who is shut out.
public struct NetworkRevocation: Codable, Sendable, Equatable {
    /// The newest epoch: how many rotations the network went through.
    public var epoch: UInt64
    /// A name for the key in force (never the secret): every member shows the same one
    /// once the rotation has reached it.
    public var key: String
    /// Every revoked NodeID.
    public var revoked: [String]
    /// Members told at once, of those still expected to answer; the others fetch the key
    /// when they next connect.
    public var told: Int
    public var members: Int

    public init(epoch: UInt64, key: String, revoked: [String], told: Int = 0, members: Int = 0) {
        self.epoch = epoch
        self.key = key
        self.revoked = revoked
        self.told = told
        self.members = members
    }
}
