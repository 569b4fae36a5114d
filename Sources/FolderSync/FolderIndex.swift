import Codecs

/// Everything one device announces about a folder: its entries (tombstones included),
/// sorted by path. Stored in the network as an ordinary file, so an edit of a few
/// entries re-uploads only the chunks around them.
public struct FolderIndex: Sendable, Hashable {
    static let magic = Array("p2pidx".utf8)
    static let formatVersion: UInt8 = 1
    /// Bounds for decoding an index received from the network.
    public static let maxEntries = 2_000_000
    /// Largest encoded index a device loads from the network.
    public static let maxEncodedSize: UInt64 = 512 << 20

    /// The announcing device's full id (32 bytes).
    public var device: [UInt8]
    public var entries: [IndexEntry]

    public init(device: [UInt8], entries: [IndexEntry]) {
        self.device = device
        self.entries = entries.sorted { $0.path < $1.path }
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + entries.count * 96)
        writer.write(raw: Self.magic)
        writer.write(Self.formatVersion)
        writer.write(raw: device)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(lengthPrefixed: Array(entry.path.utf8))
            writer.write(entry.kind.rawValue)
            writer.write(entry.deleted ? UInt8(1) : 0)
            writer.write(entry.mode)
            writer.write(entry.modifiedNanoseconds)
            writer.write(entry.size)
            writer.write(lengthPrefixed: Array(entry.capability.utf8))
            writer.write(lengthPrefixed: Array(entry.symlinkTarget.utf8))
            writer.write(entry.modifiedBy)
            writer.write(UInt16(entry.version.counters.count))
            for counter in entry.version.counters {
                writer.write(counter.device)
                writer.write(counter.value)
            }
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FolderSyncError) {
        do {
            try self.init(reading: bytes)
        } catch let error as FolderSyncError {
            throw error
        } catch {
            throw .malformed(what: "folder index", reason: "\(error)")
        }
    }

    private init(reading bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        guard try reader.readBytes(count: Self.magic.count) == Self.magic else {
            throw FolderSyncError.malformed(what: "folder index", reason: "not an index")
        }
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else {
            throw FolderSyncError.malformed(what: "folder index", reason: "unknown format version \(version)")
        }
        device = try reader.readBytes(count: 32)
        let count = Int(try reader.read(UInt32.self))
        guard count <= Self.maxEntries, count <= reader.remaining / 40 + 1 else {
            throw FolderSyncError.malformed(what: "folder index", reason: "\(count) entries do not fit")
        }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(count)
        var previous: String?
        for _ in 0..<count {
            let path = try Self.string(reader.readLengthPrefixed(limit: 4096))
            guard IndexEntry.isSafe(path: path) else {
                throw FolderSyncError.malformed(what: "folder index", reason: "unsafe path \(path.debugDescription)")
            }
            if let previous, previous >= path {
                throw FolderSyncError.malformed(what: "folder index", reason: "paths not sorted or repeated at \(path.debugDescription)")
            }
            previous = path
            guard let kind = IndexEntry.Kind(rawValue: try reader.readUInt8()) else {
                throw FolderSyncError.malformed(what: "folder index", reason: "unknown entry kind at \(path.debugDescription)")
            }
            let deleted = try reader.readUInt8() != 0
            let mode = try reader.read(UInt32.self) & 0o7777
            let modified = try reader.read(Int64.self)
            let size = try reader.read(UInt64.self)
            let capability = try Self.string(reader.readLengthPrefixed(limit: 512))
            let target = try Self.string(reader.readLengthPrefixed(limit: 4096))
            let modifiedBy = try reader.read(UInt64.self)
            let counterCount = Int(try reader.read(UInt16.self))
            var counters: [VersionVector.Counter] = []
            for _ in 0..<counterCount {
                counters.append(VersionVector.Counter(device: try reader.read(UInt64.self), value: try reader.read(UInt64.self)))
            }
            entries.append(IndexEntry(
                path: path, kind: kind, mode: mode, modifiedNanoseconds: modified, size: size, capability: capability,
                symlinkTarget: target, deleted: deleted, version: VersionVector(counters), modifiedBy: modifiedBy))
        }
        try reader.expectEnd()
        self.entries = entries
    }

    private static func string(_ bytes: [UInt8]) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FolderSyncError.malformed(what: "folder index", reason: "a name is not UTF-8")
        }
        return text
    }
}
