import Foundation
import Logging
import OpenSSLKit
import Records
import Testing

@testable import S3Gateway

/// Snapshots cost what changed: the pages a write falls in are stored again, the rest are
/// named as before; a snapshot of many pages travels as a list file.
@Suite struct PageSetTests {
    @Test func dirtyNamesPlanRunsOfTheirPagesOnly() {
        let set = PageSet(pages: [
            .init(cap: "a", names: ["b", "c"]), .init(cap: "b", names: ["f", "g"]),
            .init(cap: "c", names: ["m", "n"]), .init(cap: "d", names: ["x", "y"]),
        ])
        // "a" falls before the first page: the first page; "h" after "g": page b; "z" the last.
        let runs = set.plan(dirty: ["a", "h", "z"])
        #expect(runs == [
            PageSet.Run(pages: 3..<4, names: ["x", "y", "z"]),
            PageSet.Run(pages: 0..<2, names: ["a", "b", "c", "f", "g", "h"]),
        ])
        #expect(PageSet().plan(dirty: ["q", "p"]) == [PageSet.Run(pages: 0..<0, names: ["p", "q"])])
        var replaced = set
        #expect(replaced.replace(runs[0], with: [.init(cap: "d", names: ["x", "y", "z"])]).isEmpty, "an unchanged page is kept")
        #expect(replaced.replace(runs[1], with: [.init(cap: "e", names: ["a", "b", "c", "f", "g", "h"])]) == ["a", "b"])
        #expect(replaced.capabilities == ["e", "c", "d"])
    }

    @Test func aSnapshotAfterAFewWritesStoresFewPages() async throws {
        let network = MemoryS3Network()
        let owner = try RealmKeys.owner("bucket pages")
        // One delta before each snapshot: every other overflow of the record is a snapshot.
        let map = ReplicatedMap<ObjectEntry>(
            recordKey: RealmKeys.recordKey(owner: owner), owner: owner, network: try network.gateway(), logger: Logger(label: "test"),
            maximumDeltas: 1)
        for index in 0..<6000 {
            try await map.write(ObjectEntry(name: String(format: "key-%05d", index), size: 0, etag: String(repeating: "e", count: 32)))
        }
        let before = network.storedPages.withLock { $0 }
        // Writes into one stretch of names, enough for several deltas and snapshots: each
        // snapshot stores the page or two they fall in, not the dozen of the whole map.
        for index in 0..<200 { try await map.write(ObjectEntry(name: String(format: "key-00100-%03d", index), size: 0, etag: "f")) }
        let stored = network.storedPages.withLock { $0 } - before
        #expect(stored >= 2 && stored <= 14, "\(stored) pages stored for writes that all fall in one page")
        let reader = ReplicatedMap<ObjectEntry>(
            recordKey: RealmKeys.recordKey(owner: owner), owner: owner, network: try network.gateway(), logger: Logger(label: "test"))
        try await reader.refresh()
        #expect(await reader.liveCount == 6200)
    }

    /// Writes all over the names (random order): recent entries go to delta files, merged
    /// into the pages every few deltas; a reader and a restarted writer see every entry.
    @Test func randomWritesGoThroughDeltasAndSnapshots() async throws {
        let network = MemoryS3Network()
        let gateway = try network.gateway()
        let owner = try RealmKeys.owner("bucket random")
        let key = RealmKeys.recordKey(owner: owner)
        let map = ReplicatedMap<ObjectEntry>(recordKey: key, owner: owner, network: gateway, logger: Logger(label: "test"), maximumDeltas: 2)
        var generator = SystemRandomNumberGenerator()
        let names = (0..<2500).map { String(format: "k/%06d", $0) }.shuffled(using: &generator)
        for name in names { try await map.write(ObjectEntry(name: name, size: 0, etag: "e")) }
        for name in names.prefix(300) { try await map.write(ObjectEntry.tombstone(name)) }
        let reader = ReplicatedMap<ObjectEntry>(recordKey: key, owner: owner, network: try network.gateway(), logger: Logger(label: "test"))
        try await reader.refresh()
        #expect(await reader.liveCount == 2200)
        let restarted = ReplicatedMap<ObjectEntry>(recordKey: key, owner: owner, network: gateway, logger: Logger(label: "test"), maximumDeltas: 2)
        for name in names.suffix(100) { try await restarted.write(ObjectEntry.tombstone(name)) }
        let second = ReplicatedMap<ObjectEntry>(recordKey: key, owner: owner, network: try network.gateway(), logger: Logger(label: "test"))
        try await second.refresh()
        #expect(await second.liveCount == 2100)
        let payload = try MapRecordPayload<ObjectEntry>.decode(try #require(network.records.withLock { $0[key]?.values.first?.payload }))
        #expect(payload.deltas.count <= 2)
    }

    @Test func aSnapshotOfManyPagesTravelsAsAListFile() async throws {
        let network = MemoryS3Network()
        let gateway = try network.gateway()
        let owner = try RealmKeys.owner("bucket list")
        let key = RealmKeys.recordKey(owner: owner)
        // 200 pages of one entry each, named by a list file, as a writer with many pages sends.
        var pages: [String] = []
        for index in 0..<200 {
            let entry = ObjectEntry(name: "k\(index)", version: EntryVersion(time: 1, writer: 1), size: 0, etag: "e")
            pages += try await MapPages.store([entry], map: key, network: gateway).map(\.cap)
        }
        let list = try await MapPages.storeList(pages, network: gateway)
        let payload = try MapRecordPayload<ObjectEntry>(pages: [], pageList: list, recent: []).encoded()
        try await gateway.publish(try SignedRecord.sign(sequence: 1, payload: payload, with: gateway.signingKey, owner: owner))
        let reader = ReplicatedMap<ObjectEntry>(recordKey: key, owner: owner, network: try network.gateway(), logger: Logger(label: "test"))
        try await reader.refresh()
        #expect(await reader.liveCount == 200)
    }
}
