import Content
import FolderKeys
import Foundation
import Testing
@testable import FolderSync

// Publishing by pages (docs/sync.md): what one change costs at 100,000 entries, a device
// that missed many versions, and pieces missing or damaged in the network or the cache.
extension FolderSessionTests {
    /// A device whose store holds `count` file entries below `archive/`, put there directly:
    /// both devices ignore `archive/`, so no file is read or written for them, but they are
    /// in every index the device publishes, at their real size.
    func largeDevice(_ label: String, archive count: Int) throws -> Device {
        let device = try Device(label, network: network, token: token, logger: logs.logger()) { [token] store, root in
            // A folder this device synced before: its marker is there.
            _ = FileManager.default.createFile(atPath: root + "/" + FolderScanner.markerName, contents: nil)
            try store.save(folder: token.folderID, IndexTreeTests.entries(count).map { LocalEntry(entry: $0, inode: 0) })
        }
        try device.tree.write(".p2pignore", "archive/\n")
        return device
    }

    func smallDevice(_ label: String) throws -> Device {
        let device = try self.device(label)
        try device.tree.write(".p2pignore", "archive/\n")
        return device
    }

    /// What `device` holds of `other`'s index: its entries and its tree's pages.
    func view(of other: Device, from device: Device) async -> FolderSession.RemoteIndex? {
        let id = await other.session.deviceID
        return await device.session.remote[id]
    }

    func sortedEntries(_ device: Device) async -> [IndexEntry] {
        let local = await device.session.local
        return FolderIndex(device: [], entries: local.values.map(\.entry)).entries
    }

    @Test func oneChangeIn100000EntriesPublishesUnder64KiBAndConverges() async throws {
        let a = try largeDevice("a", archive: 100_000), b = try smallDevice("b")
        try a.tree.write("notes/today.txt", "first")
        try await converge([a, b], rounds: 2)
        #expect(b.tree.read("notes/today.txt") == "first")
        #expect(await a.session.indexBytesPublished > 15_000_000)

        let published = await a.session.indexBytesPublished, uploaded = network.uploadedBytes.load(ordering: .relaxed)
        let fetched = await b.session.indexBytesFetched
        try a.tree.write("notes/today.txt", "second, edited")
        let clock = ContinuousClock()
        let started = clock.now
        await a.session.step(scan: true, pull: false)
        let publishTime = clock.now - started
        let indexBytes = await a.session.indexBytesPublished - published
        // The index pages, and everything the device wrote (the edited file too).
        #expect(indexBytes > 0 && indexBytes < 64 * 1024, "\(indexBytes) bytes of index")
        #expect(network.uploadedBytes.load(ordering: .relaxed) - uploaded < 64 * 1024)

        let pullStarted = clock.now
        await b.session.step(scan: false, pull: true)
        let pullTime = clock.now - pullStarted
        #expect(b.tree.read("notes/today.txt") == "second, edited")
        #expect(await b.session.indexBytesFetched - fetched < 64 * 1024)
        #expect(await view(of: a, from: b)?.index.entries == (await sortedEntries(a)))
        logs.logger().info("100,000 entries, one change", metadata: [
            "index bytes": "\(indexBytes)", "scan and publish": "\(publishTime)", "pull and apply": "\(pullTime)",
        ])
    }

    @Test func aDeviceOfflineFor20VersionsFetchesOnlyThePagesThatChanged() async throws {
        let a = try largeDevice("a", archive: 5_000), b = try smallDevice("b")
        for number in 0..<20 { try a.tree.write("dir\(number)/file.txt", "v0") }
        try await converge([a, b], rounds: 2)
        let before = try #require(await view(of: a, from: b))
        let sequence = try #require(try a.store.folders().first?.sequence)

        // B is away while A publishes 20 versions, one edit each.
        for version in 1...20 {
            try a.tree.write("dir\(version - 1)/file.txt", "v\(version)")
            await a.session.step(scan: true, pull: false)
        }
        #expect(try a.store.folders().first?.sequence == sequence + 20)
        let fetched = await b.session.indexPagesFetched
        await b.session.step(scan: false, pull: true)
        for version in 1...20 { #expect(b.tree.read("dir\(version - 1)/file.txt") == "v\(version)") }
        let after = try #require(await view(of: a, from: b))
        #expect(after.sequence == sequence + 20)
        #expect(after.index.entries == (await sortedEntries(a)))
        // Only the pages of the newest tree that B did not hold, whatever the versions between.
        let new = Set(after.pages.keys).subtracting(before.pages.keys)
        #expect(await b.session.indexPagesFetched - fetched == new.count)
        #expect(new.count * 10 < after.pages.count, "\(new.count) of \(after.pages.count) pages")
    }

    /// The ids A stored while `change` ran, except the root page of its new index.
    func newPieces(of a: Device, _ change: () async throws -> Void) async throws -> [ChunkID] {
        let before = await network.chunks.ids
        try await change()
        let id = await a.session.deviceID
        let record = try #require(network.records.withLock { $0[token.recordKey]?[id] })
        let announcement = try IndexAnnouncement(opening: record.payload, token: token, signer: id)
        guard case .pages(let root) = announcement.location else { throw FolderSyncError.malformed(what: "test", reason: "no tree") }
        return Array(await network.chunks.ids.subtracting(before).subtracting([root.id]))
    }

    @Test func missingOrDamagedIndexPagesFailCleanlyAndAreRetried() async throws {
        let a = try largeDevice("a", archive: 5_000), b = try smallDevice("b")
        try a.tree.write("notes.txt", "v1")
        try await converge([a, b], rounds: 2)

        // The new pages below the root (and the file) are gone from the network.
        var saved: [ChunkID: [UInt8]] = [:]
        for id in try await newPieces(of: a, {
            try a.tree.write("notes.txt", "v2")
            await a.session.step(scan: true, pull: false)
        }) {
            saved[id] = try await network.chunks.fetch(id: id)
            await network.chunks.remove(id: id)
        }
        #expect(!saved.isEmpty)
        let held = await view(of: a, from: b)?.sequence
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("notes.txt") == "v1")
        #expect(await view(of: a, from: b)?.sequence == held)
        #expect(logs.mentions("ignored a folder record"))
        for (id, bytes) in saved { await network.chunks.store(id: id, bytes: bytes) }
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("notes.txt") == "v2")

        // Damaged instead of missing: refused by their hashes, then read once repaired.
        saved = [:]
        for id in try await newPieces(of: a, {
            try a.tree.write("notes.txt", "v3")
            await a.session.step(scan: true, pull: false)
        }) {
            let bytes = try await network.chunks.fetch(id: id)
            saved[id] = bytes
            await network.chunks.overwrite(id: id, with: bytes.map { $0 ^ 0x5a })
        }
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("notes.txt") == "v2")
        for (id, bytes) in saved { await network.chunks.overwrite(id: id, with: bytes) }
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("notes.txt") == "v3")
        #expect(await view(of: a, from: b)?.index.entries == (await sortedEntries(a)))
    }

    @Test func aRestartedDeviceWithADamagedPageCacheRefetchesOnlyThosePages() async throws {
        let a = try largeDevice("a", archive: 5_000), b = try smallDevice("b")
        try a.tree.write("notes.txt", "v1")
        try await converge([a, b], rounds: 2)
        let pages = try #require(await view(of: a, from: b)?.pages.count)
        let aID = await a.session.deviceID
        #expect(try b.store.indexPages(folder: token.folderID, device: aID).count == pages)

        // Three pages lost from the cache, two damaged; then B restarts.
        let cached = try b.store.indexPages(folder: token.folderID, device: aID).sorted { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }
        let damaged = cached.suffix(2).map { (id: $0.key, plaintext: Array($0.value.dropFirst()) + [0]) }
        try b.store.replaceIndexPages(
            folder: token.folderID, device: aID, tree: Set(cached.dropFirst(3).map(\.key)), added: damaged)
        try b.restart()
        await b.session.step(scan: false, pull: true)
        #expect(await b.session.indexPagesFetched == 5)
        #expect(logs.mentions("damaged pages in the index page cache"))
        #expect(await view(of: a, from: b)?.index.entries == (await sortedEntries(a)))

        // The cache is whole again and holds only the newest tree.
        try a.tree.write("notes.txt", "v2")
        await a.sync()
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("notes.txt") == "v2")
        let tree = try #require(await view(of: a, from: b)?.pages)
        #expect(Set(try b.store.indexPages(folder: token.folderID, device: aID).keys) == Set(tree.keys))
    }

    @Test func anEarlierDevicesWholeIndexIsStillRead() async throws {
        let b = try device("b")
        var earlier = try hostile()
        let capability = try await earlier.store("from a device before index trees")
        try await earlier.publish([earlier.entry("old.txt", .file, capability: capability, size: 32)])
        await b.sync()
        #expect(b.tree.read("old.txt") == "from a device before index trees")
        #expect(await b.session.remote[earlier.key.publicKey.rawRepresentation]?.pages.isEmpty == true)
    }
}
