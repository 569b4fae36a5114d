import APIModel
import ChunkStore
import Content
import Foundation
import Logging
import Metrics
import OpenSSLKit
import Ring
import Testing
import TestSupport
import Transport
@testable import Peer

/// `p2p rm` moments after the owner restarted (docs/gc.md, "Releases"): its membership
/// knows only some peers yet, so the holders it computes from that view are not all the
/// holders. The peers it has not heard of must still get the release once it has.
@Suite struct ColdViewReleaseTests {
    /// Four holders with the owner's lease on every chunk; the owner's ledger lists them.
    struct Scene {
        let ring = FakeRing(peers: 4)
        let owner = NodeID(bytes: try! SecureRandom.bytes(count: 32))!
        let ids: [ChunkID]
        let root: String
        let local: LocalChunks

        init() async throws {
            root = try Scratch.directory()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            local = LocalChunks(store: try ChunkStore(root: root + "/store", capacity: 1 << 30, logger: logger))
            let chunks = try (0..<64).map { _ in try SecureRandom.bytes(count: 100) }
            ids = chunks.map { ChunkID(hashing: $0) }
            let lease = ChunkLease(owner: Data(owner.bytes), expiry: Date().addingTimeInterval(ChunkLease.length))!
            for store in ring.stores {
                for (id, bytes) in zip(ids, chunks) { _ = try await store.put(id, bytes, leases: [lease]) }
            }
            try await local.recordOwnedFile(OwnedFile(capability: "cap", size: 6400, storedAt: Date(), source: OwnedFile.putSource), chunks: ids)
        }

        /// The placement as the owner sees it, knowing the holders `known` (and itself).
        func view(knowing known: [Int]) -> PlacementSnapshot {
            var peers: [RingNodeID: PlacementPeer] = [owner.identifier: PlacementPeer(
                nodeID: owner, address: "owner:7400", zone: "z", state: .alive, isSelf: true)]
            var members = [RingMember(id: owner.identifier, zone: "z", capacity: 1 << 30)]
            for index in known {
                let id = ring.ids[index]
                members.append(RingMember(id: id.identifier, zone: "z", capacity: 1 << 30))
                peers[id.identifier] = PlacementPeer(nodeID: id, address: ring.addresses[index], zone: "z", state: .alive, isSelf: false)
            }
            let ring = Ring(members: members, configuration: RingConfiguration(replicas: 3, tokensPerPeer: 64))
            return PlacementSnapshot(ring: ring, peers: peers, replicas: 3, writeQuorum: 2)
        }

        func collector(_ placement: Placement, warmup: ViewWarmup) -> GarbageCollector {
            GarbageCollector(
                placement: placement, local: local, calls: ring.network.peer(owner), owner: owner, grace: 3600, sweepInterval: 3600,
                ledger: CollectionLedger(settings: NodeStatus.Collection()), warmup: warmup,
                metrics: NodeMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "test"))
        }

        /// The owner after a restart, knowing the holders `known` so far and expecting all four.
        func owner(knowing known: [Int]) -> (Placement, GarbageCollector) {
            let placement = Placement(view(knowing: known))
            return (placement, collector(placement, warmup: ViewWarmup(expected: Set(ring.ids), contactsOthers: true)))
        }

        /// Holders that still keep the owner's lease on some chunk.
        func leaseKeepers() async throws -> [Int] {
            var keepers: [Int] = []
            for (index, store) in ring.stores.enumerated() {
                for id in ids where try await store.leases(of: id).contains(where: { $0.owner == Data(owner.bytes) }) {
                    keepers.append(index)
                    break
                }
            }
            return keepers
        }
    }

    @Test func aReleaseFromAColdViewReachesTheHoldersTheWarmViewNames() async throws {
        let scene = try await Scene()
        defer { try? FileManager.default.removeItem(atPath: scene.root) }
        let (placement, collector) = scene.owner(knowing: [0])

        #expect(try await collector.remove(capabilities: ["cap"], sources: [OwnedFile.putSource]).removed == 1)
        // Only the holder it knew was told: this is the defect the warm-up closes.
        #expect(try await scene.leaseKeepers() == [1, 2, 3])
        // Still cold: nothing goes out yet, and the release stays pending.
        try await collector.retryReleases()
        #expect(try await scene.leaseKeepers() == [1, 2, 3])

        placement.replace(scene.view(knowing: [0, 1, 2, 3]))
        try await collector.retryReleases()
        #expect(try await scene.leaseKeepers().isEmpty)
        #expect(try await scene.local.pendingReleases(limit: 1000).isEmpty)
    }

    @Test func aFilePutAgainBeforeTheViewIsWarmKeepsItsLeases() async throws {
        let scene = try await Scene()
        defer { try? FileManager.default.removeItem(atPath: scene.root) }
        let (placement, collector) = scene.owner(knowing: [0])

        #expect(try await collector.remove(capabilities: ["cap"], sources: [OwnedFile.putSource]).removed == 1)
        // The same content is stored again by this owner before the view is warm.
        try await scene.local.recordOwnedFile(
            OwnedFile(capability: "cap", size: 6400, storedAt: Date(), source: OwnedFile.putSource), chunks: scene.ids)
        placement.replace(scene.view(knowing: [0, 1, 2, 3]))
        try await collector.retryReleases()
        #expect(try await scene.leaseKeepers() == [1, 2, 3])
    }

    @Test func aWarmViewReleasesOnceAndKeepsNothingPending() async throws {
        let scene = try await Scene()
        defer { try? FileManager.default.removeItem(atPath: scene.root) }
        let (_, collector) = scene.owner(knowing: [0, 1, 2, 3])

        #expect(try await collector.remove(capabilities: ["cap"], sources: [OwnedFile.putSource]).removed == 1)
        #expect(try await scene.leaseKeepers().isEmpty)
        #expect(try await scene.local.pendingReleases(limit: 1000).isEmpty)
    }

    @Test func aViewIsColdUntilItPlacesTheMembersItKnewOrTheLimitPassed() {
        let ring = FakeRing(peers: 3)
        let (started, others) = (ContinuousClock.now, Array(ring.ids[1...]))
        let warmup = ViewWarmup(expected: Set(others), contactsOthers: true, started: started, limit: .seconds(60))
        #expect(!warmup.isWarm(ring.snapshot(self: 0, down: [1]).dropping([others[1]]), now: started))
        #expect(warmup.isWarm(ring.snapshot(self: 0, down: [1]), now: started), "a dead member is still placed")
        #expect(warmup.isWarm(ring.snapshot(self: 0).dropping(others), now: started + .seconds(60)))
        // A peer with seeds but an empty address book waits for one other peer.
        let seeded = ViewWarmup(expected: [], contactsOthers: true, started: started)
        #expect(!seeded.isWarm(ring.snapshot(self: 0).dropping(others), now: started))
        #expect(seeded.isWarm(ring.snapshot(self: 0).dropping([others[1]]), now: started))
        #expect(ViewWarmup.warm.isWarm(ring.snapshot(self: 0).dropping(others)))
    }
}

extension PlacementSnapshot {
    /// The same view without `ids`: members not heard of yet.
    fileprivate func dropping(_ ids: [NodeID]) -> PlacementSnapshot {
        var peers = peers
        for id in ids { peers[id.identifier] = nil }
        return PlacementSnapshot(ring: ring, peers: peers, replicas: replicas, writeQuorum: writeQuorum)
    }
}
