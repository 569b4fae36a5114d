import Codecs
import Content
import FolderKeys

/// One page of a folder index tree (docs/sync.md, "Publishing by pages"): a run of
/// entries sorted by path (level 0, a leaf), or references to the pages one level down
/// with the number of entries below each. Each page is one chunk, encrypted like file
/// content, so an unchanged page is the same chunk in every version of the index.
///
/// `magic "p2pI" | version (1) | level (u8) | count (u32)`, then `count` entries (the
/// `FolderIndex` entry form) or `count` children `id (32) | key (32) | entries (u32)`.
struct IndexPage: Sendable, Hashable {
    static let magic = Array("p2pI".utf8)
    static let formatVersion: UInt8 = 1
    /// Highest level a reader accepts: far above what `IndexTreeBuilder` makes for
    /// `FolderIndex.maxEntries` entries.
    static let maxLevel = 12
    /// Most children a reader accepts in one page (the builder makes at most
    /// `IndexTreeBuilder.maxChildren`).
    static let maxChildren = 4096
    static let childSize = ChunkID.size + ChunkKey.size + 4

    /// A reference to a page one level down.
    struct Child: Sendable, Hashable {
        var reference: ChunkReference
        /// Entries in that page's subtree (refused ones included: they were encoded).
        var entryCount: Int
    }

    var level: Int
    /// A leaf's entries that passed the checks every remote entry passes.
    var entries: [IndexEntry] = []
    /// A leaf's entries refused alone (logged by the session).
    var refused: [FolderIndex.Refusal] = []
    var children: [Child] = []
    /// A leaf's first and last encoded paths, so a reader checks the order across pages.
    var firstPath: String?
    var lastPath: String?

    /// Entries encoded in this page's subtree.
    var entryCount: Int { level == 0 ? entries.count + refused.count : children.reduce(0) { $0 + $1.entryCount } }

    /// A leaf's encoded form from already encoded entries.
    static func leaf(count: Int, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: 10 + body.count)
        writer.write(raw: magic)
        writer.write(formatVersion)
        writer.write(UInt8(0))
        writer.write(UInt32(count))
        writer.write(raw: body)
        return writer.bytes
    }

    /// An interior page's encoded form.
    static func interior(level: Int, children: [Child]) -> [UInt8] {
        var writer = ByteWriter(capacity: 10 + children.count * childSize)
        writer.write(raw: magic)
        writer.write(formatVersion)
        writer.write(UInt8(level))
        writer.write(UInt32(children.count))
        for child in children {
            writer.write(raw: child.reference.id.bytes)
            writer.write(raw: child.reference.key.bytes)
            writer.write(UInt32(child.entryCount))
        }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(FolderSyncError) {
        self = try IndexEntryCodec.decode("folder index page") { try Self(reading: bytes) }
    }

    private init(reading bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        try IndexEntryCodec.readHeader(&reader, magic: Self.magic, version: Self.formatVersion, what: "folder index page", notThis: "not an index page")
        level = Int(try reader.readUInt8())
        guard level <= Self.maxLevel else {
            throw FolderSyncError.malformed(what: "folder index page", reason: "level \(level) is over the limit of \(Self.maxLevel)")
        }
        let count = Int(try reader.read(UInt32.self))
        if level == 0 {
            guard count <= reader.remaining / IndexEntryCodec.minimumSize else {
                throw FolderSyncError.malformed(what: "folder index page", reason: "\(count) entries do not fit")
            }
            for _ in 0..<count {
                let decoded = try IndexEntryCodec.read(from: &reader, what: "folder index page")
                guard IndexEntryCodec.isInOrder(decoded.path, after: lastPath) else {
                    throw FolderSyncError.malformed(
                        what: "folder index page", reason: "paths not sorted or repeated at \(decoded.path.debugDescription)")
                }
                if firstPath == nil { firstPath = decoded.path }
                lastPath = decoded.path
                switch decoded {
                case .entry(let entry): entries.append(entry)
                case .refused(let refusal): refused.append(refusal)
                }
            }
        } else {
            guard (1...Self.maxChildren).contains(count), count * Self.childSize == reader.remaining else {
                throw FolderSyncError.malformed(what: "folder index page", reason: "\(count) children do not fit")
            }
            for _ in 0..<count {
                let id = ChunkID(bytes: try reader.readBytes(count: ChunkID.size))!
                let key = ChunkKey(bytes: try reader.readBytes(count: ChunkKey.size))!
                let entryCount = Int(try reader.read(UInt32.self))
                // Only the root may be an empty leaf: a child holds at least one entry.
                guard entryCount > 0 else { throw FolderSyncError.malformed(what: "folder index page", reason: "an empty child") }
                children.append(Child(reference: ChunkReference(id: id, key: key), entryCount: entryCount))
            }
        }
        try reader.expectEnd()
    }
}
