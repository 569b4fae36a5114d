import Codecs
import Foundation
import GRDB

/// The 32-byte identifier of a stored chunk: the SHA-256 of the chunk's bytes.
///
/// The store only needs "32 bytes that are a SHA-256"; when the `Content` target's
/// `ChunkID` lands, callers convert with `StoredChunkID(bytes: chunkID.bytes)` (or the store
/// adopts it as a typealias). Ordering is bytewise, which is also ring order.
public struct StoredChunkID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Length of an id in bytes.
    public static let byteCount = 32

    /// The raw digest, always `byteCount` bytes.
    public let bytes: [UInt8]

    /// Wraps a 32-byte digest; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Parses the 64-character hex form used in file names; nil when malformed.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == Self.byteCount * 2, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    /// Lowercase hex, as used in file names and logs.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    /// The chunk's point on the ring: the first 8 bytes of the id read as a big-endian
    /// unsigned integer. Ids are uniform, so positions are too.
    public var ringPosition: UInt64 {
        bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    public static func < (lhs: StoredChunkID, rhs: StoredChunkID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension StoredChunkID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Data(bytes).databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredChunkID? {
        guard let data = Data.fromDatabaseValue(dbValue) else { return nil }
        return StoredChunkID(bytes: Array(data))
    }
}

extension StoredChunkID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let data = try container.decode(Data.self)
        guard let id = StoredChunkID(bytes: Array(data)) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "chunk id must be \(Self.byteCount) bytes, got \(data.count)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(bytes))
    }
}
