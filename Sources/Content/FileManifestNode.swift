import Codecs

/// What a file manifest tree describes.
public enum ContentKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// The bytes of a file.
    case file = 0
    /// An encoded `DirectoryListing`.
    case directory = 1

    public var description: String {
        switch self {
        case .file: "file"
        case .directory: "directory"
        }
    }
}

/// One entry of a manifest node: a data chunk (level 0) or a child node (level > 0).
public struct ManifestEntry: Sendable, Hashable {
    public var reference: ChunkReference
    /// Plaintext bytes covered: the chunk's length, or the child subtree's total size.
    public var length: UInt64

    public init(reference: ChunkReference, length: UInt64) {
        self.reference = reference
        self.length = length
    }
}

/// One node of a file's manifest tree, itself stored as an encrypted chunk.
///
/// Level 0 nodes list data chunks in file order; a level-n node lists level n-1 nodes.
/// The root carries the content kind and the content hash (`ContentHash`). A small file's
/// root may instead carry the content itself (`inlineContent`, node type 0x04): then the
/// file is that one chunk. The byte layout is in docs/formats.md.
public struct FileManifestNode: Sendable, Hashable {
    /// Leading bytes of every manifest node: "p2pM".
    public static let magic: [UInt8] = [0x70, 0x32, 0x70, 0x4D]
    /// The format version written and read. Version 2 changed the root's hash from SHA-256
    /// of the content bytes to the content hash; version 1 nodes are refused.
    public static let version: UInt8 = 2
    static let rootType: UInt8 = 1
    static let interiorType: UInt8 = 2
    static let inlineRootType: UInt8 = 4
    static let entrySize = ChunkID.size + ChunkKey.size + 8
    /// Most entries in one node; keeps an encoded node under 1 MiB.
    public static let maxEntries = 14_000
    /// Highest level; 14,000^7 chunks is far beyond any file.
    public static let maxLevel = 6
    /// Largest plaintext a level-0 entry may claim (fastcdc's largest maximum chunk).
    public static let maxChunkLength: UInt64 = 16 * 1024 * 1024
    /// Most content bytes an inline root may carry (`FileEncoder.inlineLimit` is at most this).
    public static let maxInlineLength = 64 * 1024

    /// Root fields: present only on the root node.
    public struct Root: Sendable, Hashable {
        public var kind: ContentKind
        /// The content hash: SHA-256 over the data chunks' plaintext digests (`ContentHash`).
        public var contentHash: [UInt8]

        public init(kind: ContentKind, contentHash: [UInt8]) {
            self.kind = kind
            self.contentHash = contentHash
        }
    }

    /// nil for interior nodes.
    public var root: Root?
    public var level: Int
    /// Empty in an inline root.
    public var entries: [ManifestEntry]
    /// The whole content, held in the root itself (1 to `maxInlineLength` bytes); nil for
    /// a node that lists chunks.
    public var inlineContent: [UInt8]?

    public init(root: Root?, level: Int, entries: [ManifestEntry]) {
        self.root = root
        self.level = level
        self.entries = entries
    }

    /// A root that carries its content: a leaf with no entries.
    public init(root: Root, inlineContent: [UInt8]) {
        self.init(root: root, level: 0, entries: [])
        self.inlineContent = inlineContent
    }

    /// The plaintext bytes under this node: the inline content's length, or the sum of
    /// the entries' lengths.
    public var totalSize: UInt64 {
        if let inlineContent { return UInt64(inlineContent.count) }
        return entries.reduce(0) { $0 + $1.length }
    }

    /// The node type byte this node is encoded with.
    public var nodeType: UInt8 {
        if inlineContent != nil { return Self.inlineRootType }
        return root == nil ? Self.interiorType : Self.rootType
    }

    /// The binary form (docs/formats.md, "File manifest node").
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + entries.count * Self.entrySize + (inlineContent?.count ?? 0))
        writer.write(raw: Self.magic)
        writer.write(Self.version)
        writer.write(nodeType)
        writer.write(UInt8(level))
        if let root {
            writer.write(root.kind.rawValue)
            writer.write(raw: root.contentHash)
        }
        writer.write(totalSize)
        if let inlineContent {
            writer.write(raw: inlineContent)
            return writer.bytes
        }
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(raw: entry.reference.id.bytes)
            writer.write(raw: entry.reference.key.bytes)
            writer.write(entry.length)
        }
        return writer.bytes
    }

    /// Decodes and validates a node; every failure is a `ManifestError`.
    public init(decoding bytes: [UInt8]) throws(ManifestError) {
        do {
            var reader = ByteReader(bytes)
            let type = try ManifestHeader.read(&reader)
            guard [Self.rootType, Self.interiorType, Self.inlineRootType].contains(type) else { throw ManifestError.unknownNodeType(type) }
            let level = Int(try reader.readUInt8())
            guard level <= Self.maxLevel else { throw ManifestError.tooDeep(level: level, limit: Self.maxLevel) }
            var root: Root?
            if type != Self.interiorType {
                let rawKind = try reader.readUInt8()
                guard let kind = ContentKind(rawValue: rawKind) else { throw ManifestError.unknownContentKind(rawKind) }
                root = Root(kind: kind, contentHash: try reader.readBytes(count: 32))
            }
            let claimedSize = try reader.read(UInt64.self)
            if type == Self.inlineRootType, let root {
                try self.init(root: root, level: level, inlineSize: claimedSize, from: &reader)
                return
            }
            let count = UInt64(try reader.read(UInt32.self))
            guard count <= Self.maxEntries else { throw ManifestError.tooManyEntries(count: count, limit: Self.maxEntries) }
            guard Int(count) * Self.entrySize <= reader.remaining else {
                throw ManifestError.truncated(offset: reader.offset, needed: Int(count) * Self.entrySize)
            }
            // Only the root of an empty file may be empty.
            if count == 0, !(type == Self.rootType && level == 0) {
                throw ManifestError.emptyNode
            }
            var entries: [ManifestEntry] = []
            entries.reserveCapacity(Int(count))
            var sum: UInt64 = 0
            for index in 0..<Int(count) {
                let id = ChunkID(bytes: try reader.readBytes(count: ChunkID.size))!
                let key = ChunkKey(bytes: try reader.readBytes(count: ChunkKey.size))!
                let length = try reader.read(UInt64.self)
                guard length > 0, level > 0 || length <= Self.maxChunkLength else {
                    throw ManifestError.invalidEntryLength(index: index, length: length)
                }
                let (total, overflow) = sum.addingReportingOverflow(length)
                guard !overflow else { throw ManifestError.sizeMismatch(claimed: claimedSize, actual: .max) }
                sum = total
                entries.append(ManifestEntry(reference: ChunkReference(id: id, key: key), length: length))
            }
            guard sum == claimedSize else { throw ManifestError.sizeMismatch(claimed: claimedSize, actual: sum) }
            try reader.expectEnd()
            self.init(root: root, level: level, entries: entries)
        } catch let error as ManifestError {
            throw error
        } catch let error as ByteReaderError {
            throw ManifestError(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}

extension FileManifestNode {
    /// The rest of an inline root after its size: exactly `inlineSize` content bytes.
    private init(root: Root, level: Int, inlineSize: UInt64, from reader: inout ByteReader) throws {
        guard level == 0 else { throw ManifestError.inlineContentAboveLeaf(level: level) }
        guard (1...UInt64(Self.maxInlineLength)).contains(inlineSize) else {
            throw ManifestError.invalidInlineLength(inlineSize, limit: Self.maxInlineLength)
        }
        guard inlineSize == UInt64(reader.remaining) else {
            throw ManifestError.inlineSizeMismatch(claimed: inlineSize, actual: reader.remaining)
        }
        self.init(root: root, inlineContent: try reader.readBytes(count: Int(inlineSize)))
    }
}

/// The shared prefix of every manifest node: magic, version, node type.
enum ManifestHeader {
    static func read(_ reader: inout ByteReader) throws -> UInt8 {
        let magic = try reader.readBytes(count: FileManifestNode.magic.count)
        guard magic == FileManifestNode.magic else { throw ManifestError.badMagic }
        let version = try reader.readUInt8()
        guard version == FileManifestNode.version else { throw ManifestError.unsupportedVersion(version) }
        return try reader.readUInt8()
    }
}
