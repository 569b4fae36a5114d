import Content
import Foundation
import Logging
import OpenSSLKit
import Peer
import Testing
import Transport

/// Several `PeerNode`s in one process on loopback (real TLS, real stores): replicated
/// writes through one peer, reads through others, and failures of replicas.
@Suite(.serialized) struct DataPathTests {
    @Test func filesPutThroughOnePeerReadBackThroughOthersEvenWithTwoReplicasDown() async throws {
        let cluster = try await InProcessCluster.start(peers: 5)
        defer { Task { await cluster.stop() } }
        #expect(await cluster.waitUntilAllSee(alive: 5))

        var stored: [(Capability, [UInt8])] = []
        for (index, size) in [0, 1, 4096, 300_000, 3_000_000].enumerated() {
            let bytes = try SecureRandom.bytes(count: size)
            let encoded = try await cluster.nodes[index % 5].fileEncoder().encode(bytes)
            stored.append((encoded.capability, bytes))
            if size == 4096 {
                // Inlined in its root node: one chunk for the network to store, not a data chunk and a root.
                #expect(try await cluster.chunkIDs(of: encoded.capability) == [encoded.capability.root.id])
            }
        }
        for (offset, (capability, bytes)) in stored.enumerated() {
            let read = try await cluster.nodes[(offset + 2) % 5].fileDecoder().read(capability)
            #expect(read == bytes)
        }

        // Every chunk has N = 3 copies.
        let (capability, bytes) = stored[4]
        let ids = try await cluster.chunkIDs(of: capability)
        let holders = await cluster.nodes[0].locate(ids)
        #expect(ids.allSatisfy { holders[$0]?.count == 3 })

        // Stop two peers that hold the first chunk; read through a survivor.
        let victims = Set(holders[ids[0]]!.prefix(2))
        for node in cluster.nodes where victims.contains(node.nodeID) { await node.stop() }
        let survivor = cluster.nodes.first { !victims.contains($0.nodeID) }!
        #expect(try await survivor.fileDecoder().read(capability) == bytes)
    }

    @Test func aWriteWithOneReplicaDownSucceedsAndTheHintIsHandedBack() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, replicas: 3, writeQuorum: 2)
        defer { Task { await cluster.stop() } }
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let down = cluster.nodes[2]
        await down.stop(announceLeave: false)  // a crash: no goodbye
        #expect(await cluster.waitUntil { await cluster.nodes[0].status().peers.contains { $0.nodeID == down.nodeID.description && $0.state == "dead" } })

        let bytes = try SecureRandom.bytes(count: 4_000_000)
        let encoded = try await cluster.nodes[0].fileEncoder().encode(bytes)
        #expect(try await cluster.nodes[1].fileDecoder().read(encoded.capability) == bytes)
        // The down peer's copies went to stand-ins with hints…
        let ids = try await cluster.chunkIDs(of: encoded.capability)
        #expect(await cluster.hintCount() > 0)

        // …and come back to it once it returns, after which the hints are gone.
        let restarted = try await cluster.restart(2)
        #expect(await cluster.waitUntil(timeout: .seconds(30)) { await cluster.hintCount() == 0 })
        let held = await restarted.locate(ids)
        let owned = ids.filter { id in restarted.placement.snapshot.preferenceList(for: id.bytes).contains { $0.nodeID == restarted.nodeID } }
        #expect(!owned.isEmpty)
        #expect(owned.allSatisfy { held[$0]?.contains(restarted.nodeID) == true })
        // Stand-ins dropped their extra copies: every chunk is back at exactly N = 3.
        #expect(ids.allSatisfy { held[$0]?.count == 3 })
    }
}
