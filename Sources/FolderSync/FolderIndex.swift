import Codecs
import FolderKeys

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
    /// Sorted by the paths' UTF-8 bytes: names that differ only in Unicode normalisation
    /// are two paths, as they are two names on disk.
    public var entries: [IndexEntry]
    /// Entries of a decoded index that were refused, each with its reason (logged by the
    /// session); the other entries sync as usual. Never encoded.
    public var refused: [Refusal] = []

    /// An entry left out of a decoded index.
    public struct Refusal: Sendable, Hashable {
        public var path: String
        public var reason: String
    }

    public init(device: [UInt8], entries: [IndexEntry]) {
        self.device = device
        self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
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
            if let previous, !previous.utf8.lexicographicallyPrecedes(path.utf8) {
                throw FolderSyncError.malformed(what: "folder index", reason: "paths not sorted or repeated at \(path.debugDescription)")
            }
            previous = path
            guard let kind = IndexEntry.Kind(rawValue: try reader.readUInt8()) else {
                throw FolderSyncError.malformed(what: "folder index", reason: "unknown entry kind at \(path.debugDescription)")
            }
            let deleted = try reader.readUInt8() != 0
            let mode = try reader.read(UInt32.self) & 0o777
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
            let entry = IndexEntry(
                path: path, kind: kind, mode: mode, modifiedNanoseconds: modified, size: size, capability: capability,
                symlinkTarget: target, deleted: deleted, version: VersionVector(counters), modifiedBy: modifiedBy)
            if let reason = Self.refusal(of: entry, counters: counters) {
                refused.append(Refusal(path: path, reason: reason))
            } else {
                entries.append(entry)
            }
        }
        try reader.expectEnd()
        self.entries = entries
    }

    /// Why one well-formed entry cannot be applied anywhere, or nil.
    static func refusal(of entry: IndexEntry, counters: [VersionVector.Counter]) -> String? {
        if !IndexEntry.isSafe(path: entry.path) { return "unsafe path" }
        if IgnoreRules.isControlPath(entry.path) { return "a control file (\(IgnoreRules.controlNames.sorted().joined(separator: ", "))) never syncs" }
        if counters.contains(where: { $0.value > VersionVector.maximumCounter }) {
            return "a version counter above \(VersionVector.maximumCounter)"
        }
        return nil
    }

    private static func string(_ bytes: [UInt8]) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FolderSyncError.malformed(what: "folder index", reason: "a name is not UTF-8")
        }
        return text
    }
}
