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

    /// Stores `entries` (sorted by name) of the map under `map`; returns the pages in order.
    static func store<Entry: ReplicatedEntry>(_ entries: [Entry], map: [UInt8], network: any S3Network) async throws -> [PageSet.Page] {
        var pages: [PageSet.Page] = []
        var current: [Entry] = []
        var bytes = 0
        let encoder = JSONEncoder()
        func flush() async throws {
            guard !current.isEmpty else { return }
            let body = Array(try encoder.encode(Page(map: Hex.encode(map), entries: current)))
            let capability = try await network.store(ByteChunks(body), as: .indexPage).capability.description
            pages.append(PageSet.Page(cap: capability, names: current.map(\.name)))
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

    /// Stores a long list of page capabilities as a file of its own (JSON).
    static func storeList(_ pages: [String], network: any S3Network) async throws -> String {
        try await network.store(ByteChunks(Array(try JSONEncoder().encode(pages))), as: .indexPage).capability.description
    }

    /// Reads a list stored with `storeList`.
    static func loadList(_ list: String, network: any S3Network) async throws -> [String] {
        let pages = try JSONDecoder().decode([String].self, from: Data(try await read(list, network: network, limit: 16 << 20)))
        guard pages.count <= MapRecordPayload<BucketEntry>.maximumPages else { throw MapRecordError.malformed("\(pages.count) pages") }
        return pages
    }

    /// Reads one page, at most `limit` bytes, every entry checked.
    static func load<Entry: ReplicatedEntry>(_ page: String, network: any S3Network, limit: Int) async throws -> [Entry] {
        let decoded = try JSONDecoder().decode(Page<Entry>.self, from: Data(try await read(page, network: network, limit: limit)))
        guard decoded.v == 1 else { throw MapRecordError.unknownVersion(decoded.v) }
        for entry in decoded.entries { try EntryCheck.validate(entry) }
        return decoded.entries
    }

    private static func read(_ file: String, network: any S3Network, limit: Int) async throws -> [UInt8] {
        var body: [UInt8] = []
        try await network.read(try Capability(parsing: file), range: nil) { slice in
            guard body.count + slice.count <= limit else { throw MapRecordError.malformed("an index file over \(limit) bytes") }
            body += slice
        }
        return body
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
