import Foundation
import GRDB

/// One row of the `records` table: the latest signed record one signer published under one
/// key. The store keeps bytes as given; the node engine verifies signatures before storing
/// and again after reading from another peer.
public struct StoredRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "records"

    /// The record's 32-byte place on the ring.
    public var key: Data
    /// The signer's raw 32-byte Ed25519 public key.
    public var signer: Data
    /// The sequence in its stored (offset-binary) form, so SQL order is numeric order; see ``sequence``.
    var storedSequence: Int64
    /// The opaque payload (at most 64 KiB, enforced by the schema too).
    public var payload: Data
    /// The 64-byte Ed25519 signature.
    public var signature: Data
    /// The key owner's public key and its endorsement of the signer (32 and 64 bytes).
    public var owner: Data
    public var endorsement: Data
    /// When this peer stored this version.
    public var storedAt: Date

    /// Strictly increasing per (key, signer); only the highest is kept.
    public var sequence: UInt64 { RingPosition.decode(storedSequence) }

    public init(
        key: Data, signer: Data, sequence: UInt64, payload: Data, signature: Data, owner: Data = Data(),
        endorsement: Data = Data(), storedAt: Date = Date()
    ) {
        self.owner = owner
        self.endorsement = endorsement
        self.key = key
        self.signer = signer
        self.storedSequence = RingPosition.encode(sequence)
        self.payload = payload
        self.signature = signature
        self.storedAt = storedAt
    }

    enum CodingKeys: String, CodingKey {
        case key, signer, payload, signature, owner, endorsement
        case storedSequence = "sequence"
        case storedAt = "stored_at"
    }

    /// Typed columns for queries.
    public enum Columns {
        public static let key = Column(CodingKeys.key)
        public static let signer = Column(CodingKeys.signer)
        public static let sequence = Column(CodingKeys.storedSequence)
        public static let storedAt = Column(CodingKeys.storedAt)
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .millisecondsSince1970
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .millisecondsSince1970
    }
}

/// What `ChunkStore.putRecord` did.
public enum RecordPutOutcome: Sendable, Equatable {
    /// The record is now the one kept for its (key, signer).
    case stored
    /// A record with this or a higher sequence was kept already; nothing changed.
    case alreadyCurrent(sequence: UInt64)
    /// The key already holds records of `ChunkStore.maximumRecordsPerKey` signers; a new signer is refused.
    case keyFull(limit: Int)
}
