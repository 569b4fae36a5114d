import ChunkStore
import Content
import Foundation
import Home
import OpenSSLKit
@testable import Peer
import Testing

/// Self-healing on an in-process cluster (real TLS, real stores): re-replication after a peer
/// dies for good, rebalancing when one joins, and scrub of a corrupted chunk.
@Suite(.serialized) struct SelfHealingTests {
    /// Fast loops: a pass every 300 ms, no rate limits, scrub every chunk every 500 ms.
    static let fast = RepairConfiguration(
        passInterval: .milliseconds(300), pageSize: 64, pagesPerSecond: 0, bytesPerSecond: 0,
        scrubBytesPerSecond: 0, scrubPeriod: .milliseconds(500))

    /// Files of small chunks (8 KiB average), so a few megabytes make hundreds of chunks.
    static func store(_ sizes: [Int], through node: PeerNode) async throws -> [(Capability, [UInt8])] {
        let base = node.fileEncoder()
        let encoder = FileEncoder(sink: base.sink, cipher: base.cipher, parameters: try FastCDC(averageSize: 8192))
        var stored: [(Capability, [UInt8])] = []
        for size in sizes {
            let bytes = try SecureRandom.bytes(count: size)
            stored.append((try await encoder.encode(bytes).capability, bytes))
        }
        return stored
    }

    static func allChunkIDs(_ files: [(Capability, [UInt8])], node: PeerNode) async throws -> [ChunkID] {
        var ids: Set<ChunkID> = []
        for (capability, _) in files { ids.formUnion(try await node.chunkIDs(of: capability)) }
        return ids.sorted()
    }

    /// Ground truth from every store, asked in the order given: which nodes hold each chunk.
    static func holders(_ ids: [ChunkID], nodes: [PeerNode]) async -> [ChunkID: Set<Int>] {
        var result: [ChunkID: Set<Int>] = [:]
        for (index, node) in nodes.enumerated() {
            for (id, held) in zip(ids, await node.holdsLocally(ids)) where held { result[id, default: []].insert(index) }
        }
        return result
    }

    @Test func aPeerDeadForGoodIsReplacedAndEveryChunkIsBackAtThreeReplicas() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, removalGraceSeconds: 2, repair: Self.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        let files = try await Self.store([0, 5_000, 400_000, 1_200_000], through: cluster.nodes[0])
        let ids = try await Self.allChunkIDs(files, node: cluster.nodes[0])
        #expect(ids.count > 100)
        #expect(await cluster.waitUntil { await cluster.nodes[0].locate(ids).values.allSatisfy { $0.count == 3 } })

        let victim = cluster.nodes[3]
        let victimHeld = await victim.holdsLocally(ids).filter { $0 }.count
        #expect(victimHeld > 0)
        await victim.stop(announceLeave: false)  // dies for good, without a goodbye
        let survivors = cluster.nodes.filter { $0.nodeID != victim.nodeID }

        // Bound: failure detection (a few seconds) + grace (2 s) + a few 300 ms passes.
        let healed = await cluster.waitUntil(timeout: .seconds(45)) {
            let held = await Self.holders(ids, nodes: survivors)
            return ids.allSatisfy { (held[$0]?.count ?? 0) >= 3 }
        }
        #expect(healed)
        let located = await survivors[0].locate(ids)
        #expect(ids.allSatisfy { located[$0]?.count == 3 && located[$0]?.contains(victim.nodeID) == false })
        for (offset, (capability, bytes)) in files.enumerated() {
            #expect(try await survivors[offset % survivors.count].fileDecoder().read(capability) == bytes)
        }
        // The durability report of every survivor settles at "everything at N".
        #expect(await cluster.waitUntil(timeout: .seconds(20)) {
            for node in survivors {
                let report = await node.durabilityReport()
                if report.chunks == 0 || report.atN != report.chunks || report.belowN != 0 || report.zeroKnownReplicas != 0 { return false }
            }
            return true
        })
        #expect(await survivors[0].status().durability?.passes ?? 0 > 0)
        await cluster.stop()
    }

    @Test func aSixthPeerReceivesItsShareAndNothingDropsBelowThreeDuringTheMove() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, repair: Self.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        let files = try await Self.store([700_000, 900_000, 1_000_000], through: cluster.nodes[1])
        let ids = try await Self.allChunkIDs(files, node: cluster.nodes[0])
        #expect(ids.count > 200)
        let old = cluster.nodes
        #expect(await cluster.waitUntil {
            let held = await Self.holders(ids, nodes: old)
            return ids.allSatisfy { held[$0]?.count == 3 }
        })
        let before = await Self.holders(ids, nodes: old)

        let newIndex = try await cluster.addPeer()
        let newcomer = cluster.nodes[newIndex]
        #expect(await cluster.waitUntilAllSee(alive: 6, timeout: .seconds(60)))

        let (settled, lowest) = await Self.settleOnPreferenceLists(ids, cluster: cluster, receiver: newIndex)
        #expect(settled)
        #expect(lowest >= 3)

        let after = await Self.holders(ids, nodes: cluster.nodes)
        let arrived = ids.filter { after[$0]?.contains(newIndex) == true }.count
        let copies = ids.count * 3
        var moved = 0
        for id in ids { moved += after[id, default: []].subtracting(before[id, default: []]).count }
        let ideal = Double(copies) / 6
        #expect(arrived > 0)
        #expect(Double(moved) <= 1.2 * ideal, "moved \(moved) of \(copies) copies; ideal \(ideal)")
        // Copies that left an old peer left only after the newcomer confirmed holding them.
        #expect(ids.allSatisfy { after[$0]?.count == 3 })
        for (capability, bytes) in files { #expect(try await newcomer.fileDecoder().read(capability) == bytes) }
        await cluster.stop()
    }

    /// Polls until every chunk sits on exactly its preference list, sampling the copies
    /// meanwhile: the other peers first, `receiver` last, so a copy moving to it is never
    /// missed. Returns whether it settled and the fewest copies any chunk had in a sample.
    static func settleOnPreferenceLists(
        _ ids: [ChunkID], cluster: InProcessCluster, receiver: Int, timeout: Duration = .seconds(120)
    ) async -> (settled: Bool, lowest: Int) {
        var lowest = Int.max
        let settled = await cluster.waitUntil(timeout: timeout) {
            var held: [ChunkID: Set<Int>] = [:]
            for index in cluster.nodes.indices.filter({ $0 != receiver }) + [receiver] {
                for (id, isHeld) in zip(ids, await cluster.nodes[index].holdsLocally(ids)) where isHeld { held[id, default: []].insert(index) }
            }
            lowest = min(lowest, ids.map { held[$0]?.count ?? 0 }.min() ?? 0)
            let snapshot = cluster.nodes[receiver].placement.snapshot
            return ids.allSatisfy { id in
                let owners = Set(snapshot.preferenceList(for: id.bytes).compactMap { owner in cluster.nodes.firstIndex { $0.nodeID == owner.nodeID } })
                return owners.count == 3 && held[id] == owners
            }
        }
        return (settled, lowest)
    }

    @Test func aReturningPeerDropsItsSurplusCopiesOnlyAfterTheOwnersConfirm() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, removalGraceSeconds: 2, repair: Self.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        let files = try await Self.store([500_000, 900_000], through: cluster.nodes[0])
        let ids = try await Self.allChunkIDs(files, node: cluster.nodes[0])
        #expect(await cluster.waitUntil {
            let held = await Self.holders(ids, nodes: cluster.nodes)
            return ids.allSatisfy { held[$0]?.count == 3 }
        })

        // Peer 2, alone in zone z2, dies for good; the survivors re-replicate, then a sixth
        // peer joins in z2 and takes the z2 place of every list, so when peer 2 returns the
        // two share it: peer 2's copies of the newcomer's share are surplus.
        let victim = 2
        let heldBefore = Set(zip(ids, await cluster.nodes[victim].holdsLocally(ids)).filter(\.1).map(\.0))
        await cluster.nodes[victim].stop(announceLeave: false)
        let survivors = [0, 1, 3, 4].map { cluster.nodes[$0] }
        #expect(await cluster.waitUntil(timeout: .seconds(45)) {
            let held = await Self.holders(ids, nodes: survivors)
            return ids.allSatisfy { (held[$0]?.count ?? 0) >= 3 }
        })
        let newIndex = try await cluster.addPeer()
        let live = cluster.nodes.indices.filter { $0 != victim }
        #expect(await cluster.waitUntil(timeout: .seconds(60)) {
            for index in live where await cluster.nodes[index].status().peers.filter({ $0.state == "alive" }).count != 5 { return false }
            return true
        })

        // It comes back with its old store: copies move to it where it owns them again, and
        // its own surplus goes only once every current owner confirmed holding it.
        let returned = try await cluster.restart(victim)
        #expect(await cluster.waitUntilAllSee(alive: 6, timeout: .seconds(60)))
        let (settled, lowest) = await Self.settleOnPreferenceLists(ids, cluster: cluster, receiver: victim)
        #expect(settled)
        #expect(lowest >= 3, "a chunk dropped to \(lowest) copies while the returning peer rejoined")
        // What it held before it died and no longer owns among six peers was surplus: gone now.
        let snapshot = returned.placement.snapshot
        let surplus = heldBefore.filter { id in !snapshot.preferenceList(for: id.bytes).contains { $0.nodeID == returned.nodeID } }
        #expect(!surplus.isEmpty, "the newcomer took none of peer 2's chunks (held \(heldBefore.count))")
        let kept = Set(zip(ids, await returned.holdsLocally(ids)).filter(\.1).map(\.0))
        #expect(kept.isDisjoint(with: surplus))
        #expect(kept.allSatisfy { id in snapshot.preferenceList(for: id.bytes).contains { $0.nodeID == returned.nodeID } })
        // The pass that deleted them reports at its end (after its record walk): poll for it.
        #expect(await cluster.waitUntil(timeout: .seconds(30)) { await returned.durabilityReport().surplusDeleted >= surplus.count })
        #expect(await cluster.nodes[newIndex].holdsLocally(ids).contains(true))
        for (capability, bytes) in files { #expect(try await returned.fileDecoder().read(capability) == bytes) }
        await cluster.stop()
    }

    @Test func scrubFindsFlippedBytesAndFetchesTheChunkAgainFromAReplica() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, repair: Self.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        let files = try await Self.store([200_000], through: cluster.nodes[0])
        let (capability, bytes) = files[0]
        let ids = try await Self.allChunkIDs(files, node: cluster.nodes[0])
        #expect(await cluster.waitUntil {
            let held = await Self.holders(ids, nodes: cluster.nodes)
            return ids.allSatisfy { held[$0]?.count == 3 }
        })

        let target = ids[ids.count / 2]
        let holder = try #require(await Self.holders([target], nodes: cluster.nodes)[target]?.min())
        let node = cluster.nodes[holder]
        try Self.flipByte(of: target, in: node.local.store)

        let repaired = await cluster.waitUntil(timeout: .seconds(30)) {
            let report = await node.durabilityReport()
            guard report.corruptFound >= 1, report.corruptRepaired >= 1 else { return false }
            // Read back through the store, which verifies the bytes it returns.
            return (try? await node.local.get(target)) != nil
        }
        #expect(repaired)
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: cluster.homes[holder].dataDirectory + "/quarantine")
        #expect(!quarantined.isEmpty)
        #expect(try await node.fileDecoder().read(capability) == bytes)

        // A read that meets a damaged chunk before scrub does never returns its bytes either.
        let other = try #require(ids.first { $0 != target && cluster.nodes[holder].placement.snapshot.preferenceList(for: $0.bytes).contains { $0.nodeID == node.nodeID } })
        try Self.flipByte(of: other, in: node.local.store)
        #expect(try await node.fileDecoder().read(capability) == bytes)
        #expect(await Self.holders([target], nodes: cluster.nodes)[target]?.count == 3)
        await cluster.stop()
    }

    /// Damages a stored chunk in place, as a rotting disk would.
    static func flipByte(of id: ChunkID, in store: ChunkStore) throws {
        let location = try #require(try store.location(of: StoredChunkID(id)))
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: location.path))
        defer { try? handle.close() }
        let middle = location.offset + UInt64(location.length / 2)
        try handle.seek(toOffset: middle)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: middle)
        try handle.write(contentsOf: [byte ^ 0xFF])
    }
}
