import Codecs
import Content
import FolderKeys
import OpenSSLKit

/// What a device's signed record says, sealed with the folder's announcement key: where
/// its current index is stored. Storing peers see only ciphertext; the signer's key is
/// bound in as associated data, so one device's announcement cannot pass for another's.
///
/// Version 2 names the root page of an index tree (`IndexTreeBuilder`), what devices
/// publish now; version 1, the capability of a whole `FolderIndex` stored as a file, is
/// what earlier devices publish, and is still read.
public struct IndexAnnouncement: Sendable, Hashable {
    static let wholeIndexVersion: UInt8 = 1
    static let pagesVersion: UInt8 = 2

    /// Where the index is.
    public enum Location: Sendable, Hashable {
        /// The capability of an encoded `FolderIndex` stored as a file (version 1).
        case wholeIndex(capability: String)
        /// The root page of an index tree (version 2).
        case pages(root: ChunkReference)
    }

    public var location: Location
    public var entryCount: UInt32
    /// When the device published it (milliseconds since 1970, informational).
    public var publishedMilliseconds: Int64

    public init(location: Location, entryCount: UInt32, publishedMilliseconds: Int64) {
        self.location = location
        self.entryCount = entryCount
        self.publishedMilliseconds = publishedMilliseconds
    }

    /// A version 1 announcement, as devices before index trees make them.
    public init(indexCapability: String, entryCount: UInt32, publishedMilliseconds: Int64) {
        self.init(location: .wholeIndex(capability: indexCapability), entryCount: entryCount, publishedMilliseconds: publishedMilliseconds)
    }

    /// How the sync database names the index (`device.index_capability`): the capability,
    /// or `pages:` and the root page's id in hex.
    public var indexName: String {
        switch location {
        case .wholeIndex(let capability): capability
        case .pages(let root): "pages:\(root.id)"
        }
    }

    public func sealed(token: FolderToken, signer: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceSize)
        return nonce + (try AESGCM.seal(encodedPlaintext(), key: token.announcementKey, nonce: nonce, aad: signer))
    }

    /// What `sealed` encrypts (and `init(decodingPlaintext:)` reads).
    public func encodedPlaintext() -> [UInt8] {
        var writer = ByteWriter()
        switch location {
        case .wholeIndex(let capability):
            writer.write(Self.wholeIndexVersion)
            writer.write(lengthPrefixed: Array(capability.utf8))
        case .pages(let root):
            writer.write(Self.pagesVersion)
            writer.write(raw: root.id.bytes)
            writer.write(raw: root.key.bytes)
        }
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
    /// entry count (u32) | published (i64 ms)`, or `version (2) | root page id (32) | root
    /// page key (32) | entry count | published`. Every failure is a `FolderSyncError`.
    public init(decodingPlaintext plain: [UInt8]) throws(FolderSyncError) {
        do {
            var reader = ByteReader(plain)
            switch try reader.readUInt8() {
            case Self.wholeIndexVersion:
                guard let capability = String(validating: try reader.readLengthPrefixed(limit: 512), as: UTF8.self) else {
                    throw FolderSyncError.malformed(what: "index announcement", reason: "capability is not UTF-8")
                }
                location = .wholeIndex(capability: capability)
            case Self.pagesVersion:
                let id = ChunkID(bytes: try reader.readBytes(count: ChunkID.size))!
                let key = ChunkKey(bytes: try reader.readBytes(count: ChunkKey.size))!
                location = .pages(root: ChunkReference(id: id, key: key))
            case let version:
                throw FolderSyncError.malformed(
                    what: "index announcement", reason: "unknown version \(version) (made by a newer p2pstore: update this device)")
            }
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
