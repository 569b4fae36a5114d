import Foundation
import Records

/// What a gateway's record of a `ReplicatedMap` carries: the pages of its last snapshot
/// (their capabilities, or when they are many a file that lists them) and the entries
/// written since. JSON with a version; refused whole when anything is off.
struct MapRecordPayload<Entry: ReplicatedEntry>: Codable {
    static var formatVersion: Int { 1 }
    /// More pages than this is not a snapshot any gateway writes (about 100 million names).
    static var maximumPages: Int { 200_000 }
    /// More pages than this go into a list file of their own.
    static var inlinePages: Int { 128 }

    var v = Self.formatVersion
    var pages: [String]
    /// The capability of a JSON list of the pages, instead of `pages`.
    var pageList: String?
    /// Files of entries written since the snapshot, oldest first.
    var deltas: [String]
    var recent: [Entry]

    init(pages: [String], pageList: String? = nil, deltas: [String] = [], recent: [Entry] = []) {
        self.pages = pages
        self.pageList = pageList
        self.deltas = deltas
        self.recent = recent
    }

    /// The whole payload encoded at once. The gateway splices its recent entries instead
    /// (`encoded(recent:)`); tests build records with this one, and check the splice
    /// decodes as it does.
    func encoded() throws -> [UInt8] {
        try Self.checkedSize(Array(JSONEncoder().encode(self)))
    }

    /// This payload with `recent` replaced by a JSON array already made (`RecentEntries`):
    /// what `decode` reads is the same.
    func encoded(recent: [UInt8]) throws -> [UInt8] {
        var head = self
        head.recent = []
        var bytes = Array(try JSONEncoder().encode(head))
        let field = Array(#""recent":[]"#.utf8)
        guard let start = bytes.firstRange(of: field) else { throw MapRecordError.malformed("no recent field to fill") }
        bytes.replaceSubrange(start, with: Array(#""recent":"#.utf8) + recent)
        return try Self.checkedSize(bytes)
    }

    private static func checkedSize(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count <= SignedRecord.maxPayloadSize else { throw MapRecordError.tooLarge(bytes.count) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> MapRecordPayload {
        let payload = try JSONDecoder().decode(MapRecordPayload.self, from: Data(bytes))
        guard payload.v == formatVersion else { throw MapRecordError.unknownVersion(payload.v) }
        guard payload.pages.count <= inlinePages, payload.deltas.count <= 256, payload.pageList == nil || payload.pages.isEmpty else { throw MapRecordError.malformed("\(payload.pages.count) pages") }
        for entry in payload.recent { try EntryCheck.validate(entry) }
        return payload
    }
}

/// Why a map record or page was refused.
enum MapRecordError: Error, CustomStringConvertible {
    case tooLarge(Int)
    case unknownVersion(Int)
    case malformed(String)

    var description: String {
        switch self {
        case .tooLarge(let size): "an index record of \(size) bytes is over the record limit"
        case .unknownVersion(let version): "index format version \(version) is not known"
        case .malformed(let reason): "malformed index: \(reason)"
        }
    }
}

/// Bounds every entry that comes from another writer must keep.
enum EntryCheck {
    static func validate<Entry: ReplicatedEntry>(_ entry: Entry) throws {
        guard !entry.name.isEmpty, entry.name.utf8.count <= 1024 else { throw MapRecordError.malformed("a name of \(entry.name.utf8.count) bytes") }
        guard entry.isWellFormed else { throw MapRecordError.malformed("an entry out of bounds") }
    }
}
