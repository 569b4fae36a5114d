import Foundation
import Logging
import OpenSSLKit
import Records
import Testing

@testable import S3Gateway

/// The replicated index of a bucket, on an in-memory network: writes by any gateway are
/// read by every other, the later version of a key wins whatever the order, snapshots move
/// entries into pages that a new gateway reads, and hostile records are refused whole.
@Suite struct ReplicatedMapTests {
    let network = MemoryS3Network()
    let owner: Ed25519PrivateKey

    init() throws {
        owner = try RealmKeys.owner("bucket tests")
    }

    func map(_ gateway: MemoryS3Network.Gateway) -> ReplicatedMap<ObjectEntry> {
        ReplicatedMap(recordKey: RealmKeys.recordKey(owner: owner), owner: owner, network: gateway, logger: Logger(label: "test"))
    }

    static func object(_ name: String, etag: String = "e") -> ObjectEntry {
        ObjectEntry(name: name, size: 0, etag: etag)
    }

    @Test func aWriteIsReadByAnotherGatewayAndTheLaterVersionWins() async throws {
        let a = map(try network.gateway()), b = map(try network.gateway())
        try await a.write(Self.object("k", etag: "first"))
        try await b.refresh()
        #expect(await b.entry("k")?.etag == "first")
        // b writes over what it has seen: its version is later, on both after a refresh.
        try await b.write(Self.object("k", etag: "second"))
        try await a.refresh()
        #expect(await a.entry("k")?.etag == "second")
        #expect(await b.entry("k")?.etag == "second")
    }

    @Test func concurrentWritersConvergeOnOneWinnerInAnyOrder() async throws {
        let gateways = try (0..<3).map { _ in map(try network.gateway()) }
        await withThrowingTaskGroup(of: Void.self) { group in
            for (index, gateway) in gateways.enumerated() {
                group.addTask { for round in 0..<10 { try await gateway.write(Self.object("k", etag: "\(index)-\(round)")) } }
            }
        }
        for gateway in gateways { try await gateway.refresh() }
        let answers = await withTaskGroup(of: String?.self) { group in
            for gateway in gateways { group.addTask { await gateway.entry("k")?.etag } }
            return await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(answers.count == 1, "\(answers)")
        #expect(answers.first??.hasSuffix("-9") == true, "the winner is some writer's last write: \(answers)")
    }

    @Test func deletionsWinAndDisappearFromListings() async throws {
        let a = map(try network.gateway()), b = map(try network.gateway())
        for name in ["a/1", "a/2", "b", "c"] { try await a.write(Self.object(name)) }
        try await b.refresh()
        try await b.write(ObjectEntry.tombstone("a/2"))
        try await a.refresh()
        #expect(await a.entry("a/2") == nil)
        let page = await a.page(prefix: "", delimiter: "/", after: nil, maxKeys: 10)
        #expect(page.contents.map(\.key) == ["b", "c"])
        #expect(page.commonPrefixes == ["a/"])
    }

    @Test func snapshotsCarryEveryEntryToANewGatewayAndAcrossARestart() async throws {
        let gateway = try network.gateway()
        let a = map(gateway)
        // Far more than a record's recent list holds: several snapshots are taken.
        for index in 0..<600 { try await a.write(Self.object(String(format: "key-%04d", index), etag: String(repeating: "x", count: 60))) }
        let payload = try #require(network.records.withLock { $0.values.first?.values.first?.payload })
        #expect(payload.count <= SignedRecord.maxPayloadSize)
        let fresh = map(try network.gateway())
        try await fresh.refresh()
        #expect(await fresh.liveCount == 600)
        // The same gateway after a restart continues its own record: nothing is lost.
        let restarted = map(gateway)
        try await restarted.write(Self.object("after-restart"))
        let reader = map(try network.gateway())
        try await reader.refresh()
        #expect(await reader.liveCount == 601)
    }

    func map(_ gateway: MemoryS3Network.Gateway, tombstoneLifetime: Duration) -> ReplicatedMap<ObjectEntry> {
        ReplicatedMap(
            recordKey: RealmKeys.recordKey(owner: owner), owner: owner, network: gateway, logger: Logger(label: "test"), maximumDeltas: 2,
            tombstoneLifetime: tombstoneLifetime)
    }

    /// A new gateway that has read the map.
    func reader() async throws -> ReplicatedMap<ObjectEntry> {
        let reader = map(try network.gateway())
        try await reader.refresh()
        return reader
    }

    /// Writes `count` objects named `prefix-NNNN` (60-byte ETags: many snapshots at 2 deltas).
    func fill(_ map: ReplicatedMap<ObjectEntry>, _ prefix: String, _ range: Range<Int>) async throws {
        for index in range { try await map.write(Self.object(String(format: "\(prefix)-%04d", index), etag: String(repeating: "x", count: 60))) }
    }

    @Test func aLoneWritersOldTombstonesLeaveTheIndexAtItsSnapshots() async throws {
        let gateway = try network.gateway()
        let a = map(gateway, tombstoneLifetime: .zero)
        try await fill(a, "key", 0..<300)
        for index in 0..<200 { try await a.write(ObjectEntry.tombstone(String(format: "key-%04d", index))) }
        try await fill(a, "more", 0..<300)
        #expect(await a.liveCount == 400)
        #expect(await a.entryCount == 400, "no tombstone left in the writer's index")
        // Nothing of them is in the network either: a new gateway reads 400 names, all live.
        let reader = try await reader()
        #expect(await reader.entryCount == 400)
        #expect(await reader.liveCount == 400)
        #expect(await reader.entry("key-0000") == nil)
        #expect(await reader.entry("key-0250") != nil)
        // The writer after a restart carries on without them.
        let restarted = map(gateway, tombstoneLifetime: .zero)
        try await restarted.write(Self.object("after-restart"))
        #expect(await restarted.entry("key-0199") == nil)
        #expect(await restarted.liveCount == 401)
    }

    @Test func youngTombstonesStay() async throws {
        let a = map(try network.gateway(), tombstoneLifetime: .seconds(3600))
        try await fill(a, "key", 0..<300)
        for index in 0..<200 { try await a.write(ObjectEntry.tombstone(String(format: "key-%04d", index))) }
        try await fill(a, "more", 0..<300)
        let reader = try await reader()
        #expect(await reader.liveCount == 400)
        #expect(await reader.entryCount == 600)
    }

    @Test func withAnotherWriterEveryTombstoneStays() async throws {
        // a's live entries are older than b's tombstones: were b to drop them, they would
        // come back. b sees a's record and keeps its tombstones, however old.
        let a = map(try network.gateway(), tombstoneLifetime: .zero), b = map(try network.gateway(), tombstoneLifetime: .zero)
        try await fill(a, "key", 0..<100)
        try await b.refresh()
        for index in 0..<50 { try await b.write(ObjectEntry.tombstone(String(format: "key-%04d", index))) }
        try await fill(b, "more", 0..<300)
        let reader = try await reader()
        #expect(await reader.liveCount == 350)
        #expect(await reader.entryCount == 400)
        #expect(await reader.entry("key-0049") == nil)
        #expect(await reader.entry("key-0050") != nil)
    }

    @Test func hostileRecordsAreRefusedWhole() async throws {
        let a = map(try network.gateway())
        try await a.write(Self.object("good"))
        let liar = try Ed25519PrivateKey()
        // Garbage, signed correctly under the bucket's owner (anyone admitted can derive it).
        network.plant(try SignedRecord.sign(sequence: 1, payload: Array("not json".utf8), with: liar, owner: owner))
        // A well-formed payload whose entry has a name over 1,024 bytes, and a bogus page.
        let long = try MapRecordPayload(pages: [], recent: [Self.object(String(repeating: "n", count: 2000))]).encoded()
        let liar2 = try Ed25519PrivateKey()
        network.plant(try SignedRecord.sign(sequence: 1, payload: long, with: liar2, owner: owner))
        let bogusPage = try MapRecordPayload<ObjectEntry>(pages: ["p2p1:nonsense"], recent: [Self.object("smuggled")]).encoded()
        let liar3 = try Ed25519PrivateKey()
        network.plant(try SignedRecord.sign(sequence: 1, payload: bogusPage, with: liar3, owner: owner))
        // An object whose size is not what its parts hold (a reader would serve short bodies).
        let lying = try MapRecordPayload(pages: [], recent: [ObjectEntry(name: "lying", size: 100, etag: "e", parts: [])]).encoded()
        network.plant(try SignedRecord.sign(sequence: 1, payload: lying, with: try Ed25519PrivateKey(), owner: owner))
        // A record endorsed by another owner under this key.
        let stranger = try Ed25519PrivateKey()
        var foreign = try SignedRecord.sign(
            sequence: 1, payload: try MapRecordPayload(pages: [], recent: [Self.object("foreign")]).encoded(), with: try Ed25519PrivateKey(),
            owner: stranger)
        foreign.key = RealmKeys.recordKey(owner: owner)
        network.plant(foreign)

        let reader = map(try network.gateway())
        try await reader.refresh()
        #expect(await reader.entry("good") != nil)
        #expect(await reader.liveCount == 1, "nothing of the hostile records was taken")
        #expect(await reader.entry("smuggled") == nil)
        #expect(await reader.entry("lying") == nil)
        #expect(await reader.entry("foreign") == nil)
    }
}
