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
        for entry in entries { IndexEntryCodec.write(entry, to: &writer) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FolderSyncError) {
        self = try IndexEntryCodec.decode("folder index") { try Self(reading: bytes) }
    }

    private init(reading bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        try IndexEntryCodec.readHeader(&reader, magic: Self.magic, version: Self.formatVersion, what: "folder index", notThis: "not an index")
        device = try reader.readBytes(count: 32)
        let count = Int(try reader.read(UInt32.self))
        guard count <= Self.maxEntries, count <= reader.remaining / IndexEntryCodec.minimumSize + 1 else {
            throw FolderSyncError.malformed(what: "folder index", reason: "\(count) entries do not fit")
        }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(count)
        var previous: String?
        for _ in 0..<count {
            let decoded = try IndexEntryCodec.read(from: &reader, what: "folder index")
            guard IndexEntryCodec.isInOrder(decoded.path, after: previous) else {
                throw FolderSyncError.malformed(what: "folder index", reason: "paths not sorted or repeated at \(decoded.path.debugDescription)")
            }
            previous = decoded.path
            switch decoded {
            case .entry(let entry): entries.append(entry)
            case .refused(let refusal): refused.append(refusal)
            }
        }
        try reader.expectEnd()
        self.entries = entries
    }
}
