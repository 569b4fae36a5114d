import Foundation
import GRDB

/// One row of the `peer` table: the daemon's address book, persisted so a restarted peer
/// can rejoin without seeds and knows where hinted chunks go.
public struct PeerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "peer"

    /// The membership state last known for a peer (SWIM).
    public enum State: String, Codable, Sendable, CaseIterable {
        case alive, suspect, dead, left
    }

    /// SHA-256 of the peer certificate's SubjectPublicKeyInfo (32 bytes).
    public var nodeID: Data
    /// `host:port` the peer advertises for peer traffic.
    public var address: String
    /// Failure zone; empty when the peer did not set one.
    public var zone: String
    /// Storage capacity the peer announced, in bytes.
    public var capacity: Int64
    /// The peer's SWIM incarnation number (higher wins).
    public var incarnation: Int64
    /// Membership state.
    public var state: State
    /// When we last heard from the peer directly; nil = never.
    public var lastSeen: Date?

    public init(
        nodeID: Data, address: String, zone: String = "", capacity: Int64, incarnation: Int64,
        state: State, lastSeen: Date? = nil
    ) {
        self.nodeID = nodeID
        self.address = address
        self.zone = zone
        self.capacity = capacity
        self.incarnation = incarnation
        self.state = state
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case address, zone, capacity, incarnation, state
        case lastSeen = "last_seen"
    }

    /// Typed columns for queries.
    public enum Columns {
        public static let nodeID = Column(CodingKeys.nodeID)
        public static let address = Column(CodingKeys.address)
        public static let zone = Column(CodingKeys.zone)
        public static let capacity = Column(CodingKeys.capacity)
        public static let incarnation = Column(CodingKeys.incarnation)
        public static let state = Column(CodingKeys.state)
        public static let lastSeen = Column(CodingKeys.lastSeen)
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
