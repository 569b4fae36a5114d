import Foundation
import GRDB

/// One row of the `hint` table: a chunk held here on behalf of a peer that was down when it
/// was written (hinted handoff). When the peer is back the chunk is sent and the hint removed.
public struct HintRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "hint"

    /// The chunk to hand off; must be stored here (deleting the chunk deletes its hints).
    public var chunkID: StoredChunkID
    /// NodeID of the peer the chunk is meant for (32 bytes).
    public var peerID: Data
    /// When the hint was recorded.
    public var createdAt: Date

    public init(chunkID: StoredChunkID, peerID: Data, createdAt: Date) {
        self.chunkID = chunkID
        self.peerID = peerID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case chunkID = "chunk_id"
        case peerID = "peer_id"
        case createdAt = "created_at"
    }

    /// Typed columns for queries.
    public enum Columns {
        public static let chunkID = Column(CodingKeys.chunkID)
        public static let peerID = Column(CodingKeys.peerID)
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
