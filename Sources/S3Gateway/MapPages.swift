import Codecs
import Content
import Foundation

/// A map snapshot as files in the network: sorted entries cut into pages where a name's
/// hash ends a page (1 name in 512), or at `maximumPage` bytes, so that a snapshot taken
/// after a few writes shares all but a few pages with the one before.
enum MapPages {
    static let boundaryMask: UInt64 = 511
    static let maximumPage = 1 << 20

    struct Page<Entry: ReplicatedEntry>: Codable {
        var v = 1
        /// The map's record key (hex): two maps never share a page, so releasing one map's
        /// old page never undercuts another's.
        var map: String
        var entries: [Entry]
    }

    /// Stores `entries` (sorted by name) of the map under `map` and returns the pages'
    /// capabilities in order.
    static func store<Entry: ReplicatedEntry>(_ entries: [Entry], map: [UInt8], network: any S3Network) async throws -> [String] {
        var pages: [String] = []
        var current: [Entry] = []
        var bytes = 0
        let encoder = JSONEncoder()
        func flush() async throws {
            guard !current.isEmpty else { return }
            let body = Array(try encoder.encode(Page(map: Hex.encode(map), entries: current)))
            pages.append(try await network.store(ByteChunks(body), as: .indexPage).capability.description)
            current = []
            bytes = 0
        }
        for entry in entries {
            current.append(entry)
            bytes += try encoder.encode(entry).count
            if boundary(entry.name) || bytes >= maximumPage { try await flush() }
        }
        try await flush()
        return pages
    }

    /// Reads one page, at most `limit` bytes, every entry checked.
    static func load<Entry: ReplicatedEntry>(_ page: String, network: any S3Network, limit: Int) async throws -> [Entry] {
        let capability = try Capability(parsing: page)
        var body: [UInt8] = []
        try await network.read(capability, range: nil) { slice in
            guard body.count + slice.count <= limit else { throw MapRecordError.malformed("a page over \(limit) bytes") }
            body += slice
        }
        let decoded = try JSONDecoder().decode(Page<Entry>.self, from: Data(body))
        guard decoded.v == 1 else { throw MapRecordError.unknownVersion(decoded.v) }
        for entry in decoded.entries { try EntryCheck.validate(entry) }
        return decoded.entries
    }

    /// FNV-1a of the name: a stable, cheap boundary decision.
    static func boundary(_ name: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash & boundaryMask == 0
    }
}
