import Codecs
import Foundation
import GRDB

/// The 32-byte identifier of a stored chunk: the SHA-256 of the chunk's bytes. The store
/// sits below `Content`, so it has its own wrapper of the shared `Identifier256`; a
/// `ChunkID` converts with `StoredChunkID(chunkID)`, without a check that could fail.
public struct StoredChunkID: Identified256, CustomStringConvertible {
    public static let byteCount = Identifier256.byteCount

    public let identifier: Identifier256

    public init(_ identifier: Identifier256) {
        self.identifier = identifier
    }

    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == Self.byteCount * 2, let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    /// The first 8 bytes, big-endian: where the chunk sits on the ring.
    public var ringPosition: UInt64 { identifier.w0 }
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
