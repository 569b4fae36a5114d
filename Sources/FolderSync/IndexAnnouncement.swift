import Codecs
import FolderKeys
import OpenSSLKit

/// What a device's signed record says, sealed with the folder's announcement key: where
/// its current index is stored. Storing peers see only ciphertext; the signer's key is
/// bound in as associated data, so one device's announcement cannot pass for another's.
public struct IndexAnnouncement: Sendable, Hashable {
    static let formatVersion: UInt8 = 1

    /// The capability of the encoded `FolderIndex`.
    public var indexCapability: String
    public var entryCount: UInt32
    /// When the device published it (milliseconds since 1970, informational).
    public var publishedMilliseconds: Int64

    public init(indexCapability: String, entryCount: UInt32, publishedMilliseconds: Int64) {
        self.indexCapability = indexCapability
        self.entryCount = entryCount
        self.publishedMilliseconds = publishedMilliseconds
    }

    public func sealed(token: FolderToken, signer: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceSize)
        return nonce + (try AESGCM.seal(encodedPlaintext(), key: token.announcementKey, nonce: nonce, aad: signer))
    }

    /// What `sealed` encrypts (and `init(decodingPlaintext:)` reads).
    public func encodedPlaintext() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.formatVersion)
        writer.write(lengthPrefixed: Array(indexCapability.utf8))
        writer.write(entryCount)
        writer.write(publishedMilliseconds)
        return writer.bytes
    }

    public init(opening sealed: [UInt8], token: FolderToken, signer: [UInt8]) throws(FolderSyncError) {
        guard sealed.count > AESGCM.nonceSize + AESGCM.tagSize else {
            throw .malformed(what: "index announcement", reason: "too short")
        }
        let plain: [UInt8]
        do {
            plain = try AESGCM.open(
                Array(sealed.dropFirst(AESGCM.nonceSize)), key: token.announcementKey,
                nonce: Array(sealed.prefix(AESGCM.nonceSize)), aad: signer)
        } catch {
            throw .malformed(what: "index announcement", reason: "does not open with this folder's key")
        }
        try self.init(decodingPlaintext: plain)
    }

    /// Decodes an opened announcement: `version (1) | capability (length-prefixed, ≤ 512) |
    /// entry count (u32) | published (i64 ms)`. Every failure is a `FolderSyncError`.
    public init(decodingPlaintext plain: [UInt8]) throws(FolderSyncError) {
        do {
            var reader = ByteReader(plain)
            let version = try reader.readUInt8()
            guard version == Self.formatVersion else {
                throw FolderSyncError.malformed(what: "index announcement", reason: "unknown version \(version)")
            }
            guard let capability = String(validating: try reader.readLengthPrefixed(limit: 512), as: UTF8.self) else {
                throw FolderSyncError.malformed(what: "index announcement", reason: "capability is not UTF-8")
            }
            indexCapability = capability
            entryCount = try reader.read(UInt32.self)
            publishedMilliseconds = try reader.read(Int64.self)
            try reader.expectEnd()
        } catch let error as FolderSyncError {
            throw error
        } catch {
            throw .malformed(what: "index announcement", reason: "\(error)")
        }
    }
}
