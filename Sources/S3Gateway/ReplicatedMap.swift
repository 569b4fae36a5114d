import Codecs
import Content
import Foundation
import Logging
import OpenSSLKit
import Records
import S3Protocol

/// A name → entry map that lives in the network: buckets' keys, the bucket registry, the
/// access keys (docs/s3.md, "Where buckets live").
///
/// Every gateway publishes one signed record under the map's key: the pages of a snapshot
/// of the map as it knew it (files in the network, cut where names hash to a boundary so an
/// unchanged stretch is the same file next time) and the entries it wrote since. A gateway
/// reads every writer's record and merges all entries, keeping the greatest version of each
/// name, so any gateway serves the same map and a dead gateway's writes stay readable from
/// its record. A write is acknowledged only once the record that carries it is stored on
/// the record's holders; writes that arrive while a record is being stored share the next.
actor ReplicatedMap<Entry: ReplicatedEntry> {
    /// Bytes of entries carried in the record before they move into a delta file.
    static var recentLimit: Int { 8 * 1024 }
    /// The largest page accepted from another writer.
    static var maximumPageSize: Int { 64 * 1024 * 1024 }

    let recordKey: [UInt8]
    private let owner: Ed25519PrivateKey
    private let network: any S3Network
    private let logger: Logger
    /// Delta files a record names before they are merged into a new snapshot.
    private let maximumDeltas: Int
    /// How old this writer's tombstone must be before a snapshot may drop it (and only
    /// while no other writer has a record under the map: see `expiredTombstones`).
    private let tombstoneLifetime: Duration
    private let writerID: UInt64
    private let signer: [UInt8]
    /// Called with each entry that changed (old, new), inside the actor.
    private let observer: @Sendable (Entry?, Entry) -> Void

    /// Every name, tombstones included.
    private var entries: [String: Entry] = [:]
    /// The live names, in S3 order (UTF-8 bytes).
    private(set) var liveNames: [String] = []
    /// The greatest version time seen (the hybrid clock).
    private var clock: UInt64 = 0

    // What this gateway has published.
    private var sequence: UInt64 = 0
    /// This writer's snapshot: its own entries in pages.
    private var own = PageSet()
    /// Recent entries moved out of the record since the last snapshot, in files of their own
    /// (a log-structured merge: a snapshot is taken once there are `maximumDeltas`, so its
    /// cost is shared by many writes even when they fall all over the names).
    private var deltas: [PageSet.Page] = []
    /// The file listing `own`'s pages, when they are too many for the record.
    private var pageList: String?
    private var recent = RecentEntries<Entry>()

    // What has been merged of each writer's record.
    private var merged: [[UInt8]: (sequence: UInt64, pages: Set<String>)] = [:]
    /// Every signer seen with a record under the map, merged or not (one that does not
    /// decode still counts: its entries may come back).
    private var writers: Set<[UInt8]> = []

    /// A refresh asked for by news and not started yet (`refreshSoon`).
    private var refreshPending = false

    // Group commit.
    private var waiting: [CheckedContinuation<Void, Error>] = []
    private var publishing = false
    private(set) var loaded = false

    init(
        recordKey: [UInt8], owner: Ed25519PrivateKey, network: any S3Network, logger: Logger, maximumDeltas: Int = 128,
        tombstoneLifetime: Duration = .seconds(3600), observer: @escaping @Sendable (Entry?, Entry) -> Void = { _, _ in }
    ) {
        self.maximumDeltas = maximumDeltas
        self.tombstoneLifetime = tombstoneLifetime
        self.recordKey = recordKey
        self.owner = owner
        self.network = network
        self.logger = logger
        self.observer = observer
        signer = network.signingKey.publicKey.rawRepresentation
        writerID = signer.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    // MARK: Reading

    func entry(_ name: String) -> Entry? {
        entries[name].flatMap { $0.deleted ? nil : $0 }
    }

    var liveCount: Int { liveNames.count }

    /// Every name held, tombstones included.
    var entryCount: Int { entries.count }

    /// The live entries in S3 order, for listing.
    func sortedLive() -> [(key: String, entry: Entry)] {
        liveNames.map { ($0, entries[$0]!) }
    }

    /// One page of a listing of the live entries (ListObjects), without copying the index.
    func page(prefix: String, delimiter: String?, after: String?, maxKeys: Int) -> ListingPage<Entry> {
        ListingPage.make(
            sorted: liveNames.lazy.map { (key: $0, entry: self.entries[$0]!) }, prefix: prefix, delimiter: delimiter, after: after,
            maxKeys: maxKeys)
    }

    /// Every live entry (unordered).
    func liveEntries() -> [Entry] {
        entries.values.filter { !$0.deleted }
    }

    // MARK: Writing

    /// Writes `entry` under a new version and returns once the network holds it.
    @discardableResult
    func write(_ entry: Entry) async throws -> Entry {
        if !loaded { try await refresh() }
        var entry = entry
        entry.version = EntryVersion.next(after: clock, replacing: entries[entry.name]?.version, now: Self.now(), writer: writerID)
        try recent.append(entry)
        apply(entry)
        try await commit()
        return entry
    }

    private func commit() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            waiting.append(continuation)
            if !publishing {
                publishing = true
                Task { await self.publishWaiting() }
            }
        }
    }

    private func publishWaiting() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            let result: Result<Void, Error>
            do {
                try await publish()
                result = .success(())
            } catch {
                logger.warning("publishing an S3 index record failed", metadata: ["error": "\(error)"])
                result = .failure(error)
            }
            for continuation in batch { continuation.resume(with: result) }
        }
        publishing = false
    }

    /// Stores this gateway's record: the recent entries moved out first when they outgrew it.
    private func publish() async throws {
        var replaced: [String] = []
        if recent.bytes > Self.recentLimit {
            replaced = deltas.count < maximumDeltas ? try await moveRecentToDelta() : try await snapshot()
        }
        let payload: MapRecordPayload<Entry>
        let deltaFiles = deltas.map(\.cap)
        if own.pages.count > MapRecordPayload<Entry>.inlinePages {
            if !replaced.isEmpty || pageList == nil {
                if let old = pageList { replaced.append(old) }
                pageList = try await MapPages.storeList(own.capabilities, network: network)
            }
            payload = MapRecordPayload(pages: [], pageList: pageList, deltas: deltaFiles)
        } else {
            if let old = pageList { replaced.append(old) }
            pageList = nil
            payload = MapRecordPayload(pages: own.capabilities, deltas: deltaFiles)
        }
        sequence = max(sequence + 1, Self.now() / 1000)
        let record = try SignedRecord.sign(sequence: sequence, payload: try payload.encoded(recent: recent.jsonArray), with: network.signingKey, owner: owner)
        try await network.publish(record)
        let named = Set(own.capabilities + deltaFiles + [pageList].compactMap { $0 })
        merged[signer] = (sequence, named)
        // What the record before named and this one does not (equal content is one file:
        // a file still named is kept).
        for file in Set(replaced).subtracting(named) {
            guard let capability = try? Capability(parsing: file) else { continue }
            _ = try? await network.release(capability, as: .indexPage)
        }
    }

    /// Moves the recent entries into a delta file; returns nothing to release.
    private func moveRecentToDelta() async throws -> [String] {
        let moving = recent.entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        deltas += try await MapPages.store(moving, map: recordKey, network: network)
        forget(moving)
        return []
    }

    /// Merges the deltas and the recent entries into this writer's pages, storing again only
    /// the pages they fall in; returns the files no longer named.
    private func snapshot() async throws -> [String] {
        var replaced = deltas.map(\.cap)
        var moved: [Entry] = []
        let expired = await expiredTombstones()
        for run in own.plan(dirty: Set(recent.names + deltas.flatMap(\.names) + expired)) {
            // This writer's own entries only: the others are in their writers' records.
            let entries = run.names.compactMap { self.entries[$0] }.filter { $0.version.writer == writerID }
            moved += entries
            let pages = try await MapPages.store(entries.filter { !expired.contains($0.name) }, map: recordKey, network: network)
            replaced += own.replace(run, with: pages)
        }
        deltas = []
        forget(moved)
        for name in expired where entries[name]?.deleted == true { entries[name] = nil }
        return replaced
    }

    /// This writer's tombstones older than `tombstoneLifetime`, when no other writer has a
    /// record under the map (read again now). A tombstone only hides entries that are
    /// older; with one writer there are none left once its snapshot drops the tombstone
    /// together with the entry it replaced, and a write of the name by a gateway that
    /// starts later is later. With several writers, another's older entry could come back,
    /// so their tombstones stay (docs/s3.md).
    private func expiredTombstones() async -> Set<String> {
        do {
            try await refresh()
        } catch {
            return []
        }
        guard writers.allSatisfy({ $0 == signer }) else { return [] }
        let now = Self.now()
        return Set(entries.values.lazy.filter { entry in
            entry.deleted && entry.version.writer == self.writerID && now >= entry.version.time
                && .nanoseconds(now - entry.version.time) >= self.tombstoneLifetime
        }.map(\.name))
    }

    /// Drops from the recent list what was moved into files; writes that arrived while the
    /// files were stored stay.
    private func forget(_ moved: [Entry]) {
        let versions = Dictionary(moved.map { ($0.name, $0.version) }) { first, _ in first }
        recent.removeAll { versions[$0.name] == $0.version }
    }

    // MARK: Merging

    /// Reads every writer's record and merges what is new.
    func refresh() async throws {
        let records = try await network.fetchRecords(key: recordKey)
        for record in records {
            guard record.endorsement.owner == owner.publicKey.rawRepresentation else { continue }
            writers.insert(record.signer)
            if let known = merged[record.signer], known.sequence >= record.sequence { continue }
            do {
                try await merge(record)
            } catch {
                logger.warning(
                    "ignored an S3 index record that does not decode",
                    metadata: ["signer": "\(Hex.encode(record.signer.prefix(8)))", "error": "\(error)"])
            }
        }
        loaded = true
    }

    /// Merges one writer's record: the pages not merged before, then its recent entries.
    /// Checked whole before anything is applied.
    private func merge(_ record: SignedRecord) async throws {
        let payload = try MapRecordPayload<Entry>.decode(record.payload)
        var pages = payload.pages
        if let list = payload.pageList { pages = try await MapPages.loadList(list, network: network) }
        let known = merged[record.signer]?.pages ?? []
        var loadedPages: [PageSet.Page] = []
        var incoming: [Entry] = []
        for page in pages + payload.deltas where !known.contains(page) {
            let entries: [Entry] = try await MapPages.load(page, network: network, limit: Self.maximumPageSize)
            incoming += entries
            loadedPages.append(PageSet.Page(cap: page, names: entries.map(\.name)))
        }
        for entry in incoming + payload.recent { apply(entry) }
        merged[record.signer] = (record.sequence, Set(pages + payload.deltas + [payload.pageList].compactMap { $0 }))
        if record.signer == signer, record.sequence > sequence {
            // This gateway's own record from before a restart: carry it on.
            let names = Dictionary(loadedPages.map { ($0.cap, $0.names) }) { first, _ in first }
            sequence = record.sequence
            own = PageSet(pages: pages.map { PageSet.Page(cap: $0, names: names[$0] ?? []) })
            deltas = payload.deltas.map { PageSet.Page(cap: $0, names: names[$0] ?? []) }
            pageList = payload.pageList
            recent = try RecentEntries(payload.recent)
        }
    }

    /// Refreshes once after `delay`, however many times this is called meanwhile: news of a
    /// record comes once per write, and a busy bucket would otherwise be read again per write.
    func refreshSoon(after delay: Duration = .milliseconds(200)) {
        guard !refreshPending else { return }
        refreshPending = true
        Task {
            try? await Task.sleep(for: delay)
            await self.runPendingRefresh()
        }
    }

    private func runPendingRefresh() async {
        refreshPending = false
        do { try await refresh() } catch { logger.debug("an S3 index refresh failed", metadata: ["error": "\(error)"]) }
    }

    /// Keeps the greater version of `entry`'s name.
    private func apply(_ entry: Entry) {
        clock = max(clock, entry.version.time)
        let old = entries[entry.name]
        if let old, old.version >= entry.version { return }
        entries[entry.name] = entry
        let wasLive = old.map { !$0.deleted } ?? false
        if wasLive != !entry.deleted {
            let index = insertionIndex(entry.name)
            if entry.deleted {
                if index < liveNames.count, liveNames[index] == entry.name { liveNames.remove(at: index) }
            } else {
                liveNames.insert(entry.name, at: index)
            }
        }
        observer(old, entry)
    }

    private func insertionIndex(_ name: String) -> Int {
        var low = 0, high = liveNames.count
        while low < high {
            let middle = (low + high) / 2
            if liveNames[middle].utf8.lexicographicallyPrecedes(name.utf8) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func now() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
    }
}
