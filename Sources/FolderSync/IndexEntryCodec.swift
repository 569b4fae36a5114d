import Codecs
import FolderKeys

/// The binary form of one `IndexEntry`, shared by the whole-index format (`FolderIndex`)
/// and the pages of an index tree (`IndexPage`), and the checks every decoded entry passes.
enum IndexEntryCodec {
    /// Fewest bytes an encoded entry takes: a bound on the count a reader believes.
    static let minimumSize = 40

    /// Runs a decoder, so that every failure is a `FolderSyncError` (`.malformed` about `what`).
    static func decode<Value>(_ what: String, _ body: () throws -> Value) throws(FolderSyncError) -> Value {
        do {
            return try body()
        } catch let error as FolderSyncError {
            throw error
        } catch {
            throw .malformed(what: what, reason: "\(error)")
        }
    }

    /// Reads a format's magic and version, refusing others.
    static func readHeader(_ reader: inout ByteReader, magic: [UInt8], version: UInt8, what: String, notThis: String) throws {
        guard try reader.readBytes(count: magic.count) == magic else {
            throw FolderSyncError.malformed(what: what, reason: notThis)
        }
        let found = try reader.readUInt8()
        guard found == version else {
            throw FolderSyncError.malformed(what: what, reason: "unknown format version \(found)")
        }
    }

    static func write(_ entry: IndexEntry, to writer: inout ByteWriter) {
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

    /// What one read produced: the entry, or the reason it is refused on its own (the
    /// rest of the index still syncs).
    enum Decoded {
        case entry(IndexEntry)
        case refused(FolderIndex.Refusal)

        var path: String {
            switch self {
            case .entry(let entry): entry.path
            case .refused(let refusal): refusal.path
            }
        }
    }

    /// Reads one entry; `what` names the container in errors. Structural damage throws.
    static func read(from reader: inout ByteReader, what: String) throws -> Decoded {
        let path = try string(reader.readLengthPrefixed(limit: 4096), what: what)
        guard let kind = IndexEntry.Kind(rawValue: try reader.readUInt8()) else {
            throw FolderSyncError.malformed(what: what, reason: "unknown entry kind at \(path.debugDescription)")
        }
        let deleted = try reader.readUInt8() != 0
        let mode = try reader.read(UInt32.self) & 0o777
        let modified = try reader.read(Int64.self)
        let size = try reader.read(UInt64.self)
        let capability = try string(reader.readLengthPrefixed(limit: 512), what: what)
        let target = try string(reader.readLengthPrefixed(limit: 4096), what: what)
        let modifiedBy = try reader.read(UInt64.self)
        let counterCount = Int(try reader.read(UInt16.self))
        var counters: [VersionVector.Counter] = []
        for _ in 0..<counterCount {
            counters.append(VersionVector.Counter(device: try reader.read(UInt64.self), value: try reader.read(UInt64.self)))
        }
        let entry = IndexEntry(
            path: path, kind: kind, mode: mode, modifiedNanoseconds: modified, size: size, capability: capability,
            symlinkTarget: target, deleted: deleted, version: VersionVector(counters), modifiedBy: modifiedBy)
        if let reason = refusal(of: entry, counters: counters) {
            return .refused(FolderIndex.Refusal(path: path, reason: reason))
        }
        return .entry(entry)
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

    /// Whether `path` sorts strictly after `previous` (by UTF-8 bytes), as every index
    /// keeps its paths.
    static func isInOrder(_ path: String, after previous: String?) -> Bool {
        guard let previous else { return true }
        return previous.utf8.lexicographicallyPrecedes(path.utf8)
    }

    private static func string(_ bytes: [UInt8], what: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FolderSyncError.malformed(what: what, reason: "a name is not UTF-8")
        }
        return text
    }
}
