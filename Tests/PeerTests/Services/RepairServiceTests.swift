import ChunkStore
import Content
import Foundation
import Logging
import OpenSSLKit
import Ring
import Testing
@testable import Peer

/// Repair, hand-off and hinted handoff on fake peers: one walk over the local chunks pushes
/// every missing copy to its owners, drops a copy this peer no longer owns only once every
/// owner confirmed it, counts what it found, and hints go back to the peer they were kept for.
@Suite struct RepairServiceTests {
    static let settings = RepairConfiguration(passInterval: .seconds(3600), pageSize: 16, pagesPerSecond: 0, bytesPerSecond: 0)

    static func chunks(_ count: Int) throws -> [[UInt8]] {
        try (0..<count).map { _ in try SecureRandom.bytes(count: 500) }
    }

    static func repair(_ ring: FakeRing, as me: Int, down: Set<Int> = []) -> RepairService {
        RepairService(
            placement: Placement(ring.snapshot(self: me, down: down)), local: ring.stores[me], calls: ring.network.peer(ring.ids[me]),
            configuration: settings, logger: Logger(label: "test"))
    }

    @Test func aPassPushesEveryMissingCopyToItsOwners() async throws {
        let ring = FakeRing(peers: 5)
        let snapshot = ring.snapshot(self: 0)
        // Peer 0 holds 40 chunks; of those it owns, nobody else has a copy yet.
        let all = try Self.chunks(40)
        for bytes in all { try await ring.stores[0].put(ChunkID(hashing: bytes), bytes) }
        let owned = all.map { ChunkID(hashing: $0) }.filter { ring.owners(of: $0, in: snapshot).contains(0) }
        try #require(!owned.isEmpty)

        let report = await Self.repair(ring, as: 0).repairPass()
        // Copies it pushed count as confirmed: every chunk it owns is at N after the pass.
        #expect(report.chunks == owned.count)
        #expect(report.atN == owned.count && report.belowN == 0 && report.zeroKnownReplicas == 0 && report.backlog == 0)
        // Chunks peer 0 does not own went to all three owners, then its own copy went.
        let moved = all.count - owned.count
        #expect(report.pushedCopies == owned.count * 2 + moved * 3)
        #expect(report.surplusDeleted == moved)
        for id in all.map({ ChunkID(hashing: $0) }) {
            for owner in ring.owners(of: id, in: snapshot) { #expect(ring.stores[owner].ids.contains(id)) }
        }
        let second = await Self.repair(ring, as: 0).repairPass()
        #expect(second.atN == owned.count && second.belowN == 0 && second.pushedCopies == 0)
        #expect(ring.stores[0].ids == Set(owned))
    }

    /// A page costs one `hasChunks` round trip per other owner, whatever the preference
    /// lists: at 50 ms between zones, asking one list after the other made a pass over
    /// 13,000 chunks take two minutes (found by the history checker's settle).
    @Test func aPageAsksEachOtherOwnerOnceAndAllAtOnce() async throws {
        let ring = FakeRing(peers: 5)
        let all = try Self.chunks(40)
        for bytes in all { try await ring.stores[0].put(ChunkID(hashing: bytes), bytes) }
        let lists = Set(all.map { ring.owners(of: ChunkID(hashing: $0), in: ring.snapshot(self: 0)) })
        try #require(lists.count > 4, "the chunks fall on several preference lists")

        _ = await Self.repair(ring, as: 0).repairPass()
        let asks = ring.network.calls.withLock { $0.filter { $0.caller == ring.ids[0] && $0.method == .hasChunks } }
        let pages = (all.count + Self.settings.pageSize - 1) / Self.settings.pageSize
        #expect(!asks.isEmpty && asks.count <= pages * (ring.ids.count - 1), "\(asks.count) asks for \(pages) pages")
        for address in Set(asks.map(\.address)) { #expect(asks.filter { $0.address == address }.count <= pages) }
    }

    @Test func aCopyIsNotDroppedWhileAnOwnerIsDown() async throws {
        let ring = FakeRing(peers: 5)
        let all = try Self.chunks(30)
        for bytes in all { try await ring.stores[0].put(ChunkID(hashing: bytes), bytes) }
        let snapshot = ring.snapshot(self: 0)
        let stray = try #require(all.map { ChunkID(hashing: $0) }.first { !ring.owners(of: $0, in: snapshot).contains(0) })
        let down = ring.owners(of: stray, in: snapshot)[0]
        ring.setDown([down])
        for _ in 0..<2 { _ = await Self.repair(ring, as: 0, down: [down]).repairPass() }
        #expect(ring.stores[0].ids.contains(stray), "the only copy off a down owner's list was dropped")
        // Back up: the first owner holding it pushes the copy, then peer 0 drops its own.
        ring.setDown([])
        for _ in 0..<2 {
            for peer in ring.ids.indices { _ = await Self.repair(ring, as: peer).repairPass() }
        }
        #expect(!ring.stores[0].ids.contains(stray))
        #expect(ring.owners(of: stray, in: snapshot).allSatisfy { ring.stores[$0].ids.contains(stray) })
    }

    @Test func aHandOffPassConfirmsEveryChunkOnThePlacementWithoutThisPeer() async throws {
        let ring = FakeRing(peers: 4)
        let all = try Self.chunks(20)
        for bytes in all { try await ring.stores[1].put(ChunkID(hashing: bytes), bytes) }
        // The placement the others will compute once peer 1 is gone.
        let without = FakeRing.without(ring, 1)
        let report = await Self.repair(ring, as: 1).handOffPass(without)
        #expect(report.chunks == all.count && report.atN == all.count && report.backlog == 0)
        for bytes in all {
            let id = ChunkID(hashing: bytes)
            for owner in without.preferenceList(for: id.bytes) { #expect(ring.stores[ring.index(of: owner.nodeID)!].ids.contains(id)) }
        }
    }

    /// A stray copy a lease still keeps — a stand-in's, beyond the peers its owner's release
    /// went to — while the owners hold only released copies, or none: their walks skip
    /// theirs, so the stray is the one to push. Each owner drops the lease it saw released,
    /// every owner has the chunk, and the stray's copy goes. Before, the stray waited for an
    /// owner holding the chunk to push it, none ever did, and it counted the chunk below N
    /// for the month its lease runs (found by the history checker's settle).
    @Test func aStrayCopyStillLeasedIsPushedWhenTheOwnersHoldOnlyReleasedCopies() async throws {
        let ring = FakeRing(peers: 5)
        let snapshot = ring.snapshot(self: 0)
        let bytes = try #require(try Self.chunks(50).first { !ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) })
        let id = ChunkID(hashing: bytes)
        let owners = ring.owners(of: id, in: snapshot)
        let putter = Data(ring.ids[owners[0]].bytes)
        let lease = try #require(ChunkLease(owner: putter, expiry: Date().addingTimeInterval(ChunkLease.length)))
        // Two owners stored it and heard the release; the third never got a copy (it was
        // down); peer 0 stood in for it and missed the release.
        for owner in owners.prefix(2) {
            try await ring.stores[owner].put(id, bytes, leases: [lease])
            _ = try await ring.stores[owner].releaseLeases([id], owner: putter)
        }
        _ = try await ring.stores[owners[2]].releaseLeases([id], owner: putter)
        try await ring.stores[0].put(id, bytes, leases: [lease])

        var reports: [Int: RepairPassReport] = [:]
        for _ in 0..<2 {
            for peer in ring.ids.indices { reports[peer] = await Self.repair(ring, as: peer).repairPass() }
        }
        #expect(reports.values.allSatisfy { $0.belowN == 0 }, "\(reports.mapValues(\.belowN))")
        #expect(!ring.stores[0].ids.contains(id), "the stray copy was kept")
        for owner in owners {
            #expect(try await ring.stores[owner].holdings([id]) == [.unleased], "a released lease came back on peer \(owner)")
        }
    }

    /// The other side: an owner whose copy keeps a lease the other owners saw released does
    /// not push it to them pass after pass. They hold the chunk (and would drop the lease
    /// each time), so nothing is missing and the chunk counts at N.
    @Test func anOwnerDoesNotPushToOwnersHoldingAReleasedCopy() async throws {
        let ring = FakeRing(peers: 5)
        let snapshot = ring.snapshot(self: 0)
        let bytes = try #require(try Self.chunks(50).first { ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) })
        let id = ChunkID(hashing: bytes)
        let putter = Data(ring.ids[1].bytes)
        let lease = try #require(ChunkLease(owner: putter, expiry: Date().addingTimeInterval(ChunkLease.length)))
        for owner in ring.owners(of: id, in: snapshot) where owner != 0 {
            try await ring.stores[owner].put(id, bytes, leases: [lease])
            _ = try await ring.stores[owner].releaseLeases([id], owner: putter)
        }
        try await ring.stores[0].put(id, bytes, leases: [lease])

        let report = await Self.repair(ring, as: 0).repairPass()
        #expect(report.pushedCopies == 0 && report.atN == 1 && report.belowN == 0 && report.backlog == 0)
    }

    @Test func hintsGoBackToTheirPeerAndTheStandInCopyGoes() async throws {
        let ring = FakeRing(peers: 5)
        let snapshot = ring.snapshot(self: 0)
        let bytes = try #require(try Self.chunks(50).first { !ring.owners(of: ChunkID(hashing: $0), in: snapshot).contains(0) })
        let id = ChunkID(hashing: bytes)
        let intended = ring.owners(of: id, in: snapshot)[0]
        try await ring.stores[0].put(id, bytes)
        try await ring.stores[0].addHint(id, for: ring.ids[intended].bytes)

        let hints = HintService(placement: Placement(snapshot), local: ring.stores[0], calls: ring.network.peer(ring.ids[0]), logger: Logger(label: "test"))
        ring.setDown([intended])
        try await hints.handOff()
        #expect(try await ring.stores[0].hintCount() == 1, "a hint was dropped while its peer was unreachable")
        ring.setDown([])
        try await hints.handOff()
        #expect(ring.stores[intended].ids.contains(id))
        #expect(try await ring.stores[0].hintCount() == 0)
        #expect(!ring.stores[0].ids.contains(id))
    }
}

extension FakeRing {
    /// The placement of `ring` without peer `leaving`, as the others see it.
    static func without(_ ring: FakeRing, _ leaving: Int) -> PlacementSnapshot {
        let full = ring.snapshot(self: nil)
        var peers = full.peers
        let members = full.peers.compactMap { ringID, peer -> RingMember? in
            peer.nodeID == ring.ids[leaving] ? nil : RingMember(id: ringID, zone: peer.zone, capacity: 1 << 30)
        }
        peers = peers.filter { $0.value.nodeID != ring.ids[leaving] }
        return PlacementSnapshot(
            ring: Ring(members: members, configuration: RingConfiguration(replicas: ring.replicas, tokensPerPeer: 64)), peers: peers,
            replicas: ring.replicas, writeQuorum: ring.writeQuorum)
    }
}
