import Foundation
import GRDB

/// One row of the `chunk` table: a chunk whose record is in a segment (see `ChunkLayout`).
public struct ChunkRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "chunk"

    /// SHA-256 of the chunk's bytes.
    public var id: StoredChunkID
    /// Size of the chunk in bytes.
    public var size: Int64
    /// The id's ring position in its stored (offset-binary) form; see ``ringPosition``.
    var storedRingPosition: Int64
    /// When this peer stored the chunk.
    public var storedAt: Date
    /// When the bytes were last read back and found to hash to `id`; nil = not since stored.
    public var lastVerified: Date?
    /// When the chunk's lease runs out (for garbage collection); nil = no lease recorded.
    public var leaseExpiry: Date?

    /// The chunk's ring position (first 8 bytes of the id, big-endian).
    public var ringPosition: UInt64 { RingPosition.decode(storedRingPosition) }

    public init(id: StoredChunkID, size: Int64, storedAt: Date, lastVerified: Date? = nil, leaseExpiry: Date? = nil) {
        self.id = id
        self.size = size
        self.storedRingPosition = RingPosition.encode(id.ringPosition)
        self.storedAt = storedAt
        self.lastVerified = lastVerified
        self.leaseExpiry = leaseExpiry
    }

    enum CodingKeys: String, CodingKey {
        case id
        case size
        case storedRingPosition = "ring_position"
        case storedAt = "stored_at"
        case lastVerified = "last_verified"
        case leaseExpiry = "lease_expiry"
    }

    /// Typed columns for queries.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let size = Column(CodingKeys.size)
        public static let ringPosition = Column(CodingKeys.storedRingPosition)
        public static let storedAt = Column(CodingKeys.storedAt)
        public static let lastVerified = Column(CodingKeys.lastVerified)
        public static let leaseExpiry = Column(CodingKeys.leaseExpiry)
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}
