import Codecs

/// The entries of one directory, for folder sync. It is encoded to bytes and stored like a
/// file (chunked, encrypted, with a manifest tree whose root says `ContentKind.directory`),
/// so a directory of any size needs no extra tree format. The byte layout is in docs/formats.md.
public struct DirectoryListing: Sendable, Hashable {
    /// Node type byte after the manifest magic and version.
    static let nodeType: UInt8 = 3
    /// Most entries in one directory.
    public static let maxEntries = 1_000_000
    /// Longest entry name in bytes (the common file system limit).
    public static let maxNameLength = 255
    /// Longest symlink target in bytes (PATH_MAX).
    public static let maxTargetLength = 4096
    /// Smallest encoded entry: used to refuse impossible counts before allocating.
    static let minEntrySize = 2 + 1 + 1 + 4 + 8 + 8 + 2

    /// Entries sorted by the bytes of their names, each name once.
    public private(set) var entries: [DirectoryEntry]

    /// Sorts the entries; throws on an invalid or duplicated name.
    public init(entries: [DirectoryEntry]) throws(ManifestError) {
        let sorted = entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        try Self.validate(sorted)
        self.entries = sorted
    }

    private init(validated entries: [DirectoryEntry]) {
        self.entries = entries
    }

    /// The binary form.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + entries.count * 96)
        writer.write(raw: FileManifestNode.magic)
        writer.write(FileManifestNode.version)
        writer.write(Self.nodeType)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(shortString: entry.name)
            writer.write(entry.kind.code)
            writer.write(entry.mode)
            writer.write(entry.modificationTimeNanoseconds)
            writer.write(entry.size)
            switch entry.kind {
            case .file(let reference), .directory(let reference):
                writer.write(raw: reference.id.bytes)
                writer.write(raw: reference.key.bytes)
            case .symlink(let target):
                writer.write(shortString: target)
            }
        }
        return writer.bytes
    }

    /// Decodes and validates a listing; every failure is a `ManifestError`.
    public init(decoding bytes: [UInt8]) throws(ManifestError) {
        do {
            var reader = ByteReader(bytes)
            let type = try ManifestHeader.read(&reader)
            guard type == Self.nodeType else { throw ManifestError.unexpectedNodeType(expected: Self.nodeType, actual: type) }
            let count = UInt64(try reader.read(UInt32.self))
            guard count <= Self.maxEntries, Int(count) * Self.minEntrySize <= reader.remaining else {
                throw ManifestError.tooManyEntries(count: count, limit: min(Self.maxEntries, reader.remaining / Self.minEntrySize))
            }
            var entries: [DirectoryEntry] = []
            entries.reserveCapacity(Int(count))
            for _ in 0..<count {
                let name = try reader.readShortString()
                let code = try reader.readUInt8()
                let mode = try reader.read(UInt32.self)
                let mtime = try reader.read(Int64.self)
                let size = try reader.read(UInt64.self)
                let kind: DirectoryEntry.Kind
                switch code {
                case 0, 1:
                    let id = ChunkID(bytes: try reader.readBytes(count: ChunkID.size))!
                    let key = ChunkKey(bytes: try reader.readBytes(count: ChunkKey.size))!
                    let reference = ChunkReference(id: id, key: key)
                    kind = code == 0 ? .file(reference) : .directory(reference)
                case 2:
                    let target = try reader.readShortString()
                    guard !target.isEmpty, target.utf8.count <= Self.maxTargetLength, !target.utf8.contains(0) else {
                        throw ManifestError.lengthOverLimit(length: target.utf8.count, limit: Self.maxTargetLength)
                    }
                    kind = .symlink(target: target)
                default:
                    throw ManifestError.invalidEntryKind(code)
                }
                entries.append(DirectoryEntry(name: name, kind: kind, mode: mode, modificationTimeNanoseconds: mtime, size: size))
            }
            try reader.expectEnd()
            try Self.validate(entries)
            self.init(validated: entries)
        } catch let error as ManifestError {
            throw error
        } catch let error as ByteReaderError {
            throw ManifestError(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private static func validate(_ entries: [DirectoryEntry]) throws(ManifestError) {
        guard entries.count <= maxEntries else { throw .tooManyEntries(count: UInt64(entries.count), limit: maxEntries) }
        var previous: [UInt8]?
        for entry in entries {
            let name = Array(entry.name.utf8)
            guard !name.isEmpty, name.count <= maxNameLength, name != [0x2E], name != [0x2E, 0x2E],
                  !name.contains(0x2F), !name.contains(0)
            else { throw .invalidName(entry.name) }
            if let previous, !previous.lexicographicallyPrecedes(name) { throw .unsortedNames(entry.name) }
            previous = name
        }
    }
}

/// One name in a directory.
public struct DirectoryEntry: Sendable, Hashable {
    /// What the name refers to.
    public enum Kind: Sendable, Hashable {
        /// A file: the root of its manifest tree.
        case file(ChunkReference)
        /// A subdirectory: the root of its listing's manifest tree.
        case directory(ChunkReference)
        case symlink(target: String)

        var code: UInt8 {
            switch self {
            case .file: 0
            case .directory: 1
            case .symlink: 2
            }
        }
    }

    /// One path component, UTF-8, without "/" or NUL.
    public var name: String
    public var kind: Kind
    /// Permission bits as in `st_mode & 0o7777`.
    public var mode: UInt32
    /// Modification time, nanoseconds since the Unix epoch.
    public var modificationTimeNanoseconds: Int64
    /// File size in bytes (0 for directories, target length for symlinks).
    public var size: UInt64

    public init(name: String, kind: Kind, mode: UInt32, modificationTimeNanoseconds: Int64, size: UInt64) {
        self.name = name
        self.kind = kind
        self.mode = mode
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.size = size
    }
}
