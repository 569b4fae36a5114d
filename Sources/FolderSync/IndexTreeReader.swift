import Content
import FolderKeys

/// Reads an index tree (`IndexTreeBuilder`) from its root, fetching only the pages it
/// does not already hold: a new version of another device's index costs the pages that
/// changed. Every page is verified before use — a fetched one by its chunk id and GCM
/// tag, a cached plaintext by its convergent key — and the tree's structure (levels,
/// entry counts, path order across pages) and size are checked against the same bounds
/// as a whole index (`FolderIndex.maxEntries`, `FolderIndex.maxEncodedSize`).
struct IndexTreeReader {
    /// A decoded page and what verified it.
    struct HeldPage: Sendable {
        var key: ChunkKey
        var page: IndexPage
        /// Plaintext bytes, counted against `FolderIndex.maxEncodedSize`.
        var size: Int
    }

    /// What a read produced.
    struct Result: Sendable {
        var index: FolderIndex
        /// Every page of the tree, by id: what the next read of this device starts from.
        var pages: [ChunkID: HeldPage]
        /// Pages that came from the network, with their plaintexts (for the cache).
        var fetched: [(id: ChunkID, plaintext: [UInt8])]
        var fetchedBytes: Int
        /// Cached plaintexts that failed verification and were fetched again.
        var damagedInCache: Int
    }

    let source: any ChunkSource
    let cipher: ConvergentCipher
    /// Pages decoded before (this device's previous tree), trusted: they were verified.
    var held: [ChunkID: HeldPage] = [:]
    /// Plaintexts from the page cache, verified before use.
    var cached: [ChunkID: [UInt8]] = [:]
    var maxPagesInFlight = 16

    func read(root: ChunkReference, device: [UInt8]) async throws -> Result {
        var pages: [ChunkID: HeldPage] = [:]
        var fetched: [(id: ChunkID, plaintext: [UInt8])] = []
        var fetchedBytes = 0
        var damaged = 0
        var totalBytes = 0
        // One level at a time, each level's missing pages fetched together.
        var frontier: [(reference: ChunkReference, level: Int?, entries: Int?)] = [(root, nil, nil)]
        while !frontier.isEmpty {
            var wanted: [ChunkReference] = []
            var requested: Set<ChunkID> = []
            for item in frontier where pages[item.reference.id] == nil && !requested.contains(item.reference.id) {
                if let page = held[item.reference.id], page.key == item.reference.key {
                    pages[item.reference.id] = page
                    continue
                }
                if let plaintext = cached[item.reference.id] {
                    if let page = verified(plaintext, reference: item.reference) {
                        pages[item.reference.id] = page
                        continue
                    }
                    damaged += 1
                }
                requested.insert(item.reference.id)
                wanted.append(item.reference)
            }
            let source = source
            let loaded = try await FolderSession.concurrently(wanted, limit: maxPagesInFlight) { reference in
                let plaintext = try ConvergentCipher.open(try await source.fetch(id: reference.id), reference: reference)
                return (reference, plaintext, try IndexPage(decoding: plaintext))
            }
            for (reference, plaintext, page) in loaded {
                pages[reference.id] = HeldPage(key: reference.key, page: page, size: plaintext.count)
                fetched.append((reference.id, plaintext))
                fetchedBytes += plaintext.count
            }
            var next: [(reference: ChunkReference, level: Int?, entries: Int?)] = []
            for item in frontier {
                let held = pages[item.reference.id]!
                let page = held.page
                if let level = item.level, page.level != level {
                    throw FolderSyncError.malformed(what: "folder index", reason: "a page at level \(page.level) where \(level) belongs")
                }
                if let entries = item.entries, page.entryCount != entries {
                    throw FolderSyncError.malformed(what: "folder index", reason: "a page of \(page.entryCount) entries where \(entries) were announced")
                }
                if item.level == nil, page.entryCount > FolderIndex.maxEntries {
                    throw FolderSyncError.malformed(what: "folder index", reason: "\(page.entryCount) entries are over the limit of \(FolderIndex.maxEntries)")
                }
                totalBytes += held.size
                guard totalBytes <= FolderIndex.maxEncodedSize else {
                    throw FolderSyncError.malformed(what: "folder index", reason: "over the limit of \(FolderIndex.maxEncodedSize) bytes")
                }
                next += page.children.map { ($0.reference, page.level - 1, $0.entryCount) }
            }
            frontier = next
        }
        var index = FolderIndex(device: device, entries: [])
        index.entries.reserveCapacity(pages[root.id]!.page.entryCount)
        var lastPath: String?
        try Self.collect(root.id, pages: pages, into: &index, lastPath: &lastPath)
        return Result(index: index, pages: pages, fetched: fetched, fetchedBytes: fetchedBytes, damagedInCache: damaged)
    }

    /// A cached plaintext as a page, if it is the plaintext `reference` names.
    private func verified(_ plaintext: [UInt8], reference: ChunkReference) -> HeldPage? {
        guard plaintext.withUnsafeBytes({ cipher.key(for: $0) }) == reference.key,
              let page = try? IndexPage(decoding: plaintext) else { return nil }
        return HeldPage(key: reference.key, page: page, size: plaintext.count)
    }

    /// Appends a subtree's entries in order, checking that paths keep rising across pages.
    private static func collect(
        _ id: ChunkID, pages: [ChunkID: HeldPage], into index: inout FolderIndex, lastPath: inout String?
    ) throws {
        let page = pages[id]!.page
        guard page.level == 0 else {
            for child in page.children { try collect(child.reference.id, pages: pages, into: &index, lastPath: &lastPath) }
            return
        }
        guard let first = page.firstPath else { return }
        guard IndexEntryCodec.isInOrder(first, after: lastPath) else {
            throw FolderSyncError.malformed(what: "folder index", reason: "paths not sorted or repeated at \(first.debugDescription)")
        }
        lastPath = page.lastPath
        index.entries += page.entries
        index.refused += page.refused
    }
}
