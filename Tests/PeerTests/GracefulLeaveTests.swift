import Content
import Foundation
import Peer
import Testing

/// A graceful leave hands data off first: with repair turned off on every peer, only the
/// leaving peer's hand-off can put the copies where the survivors' placement wants them.
@Suite(.serialized) struct GracefulLeaveTests {
    @Test func aPeerThatLeavesGracefullyLeavesEveryChunkAtThreeReplicasOnTheOthers() async throws {
        // Removal grace and repair out of the picture: nothing but the hand-off moves data.
        let cluster = try await InProcessCluster.start(peers: 5, removalGraceSeconds: 3600)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        let files = try await SelfHealingTests.store([300_000, 600_000, 900_000], through: cluster.nodes[0])
        let ids = try await SelfHealingTests.allChunkIDs(files, node: cluster.nodes[0])
        #expect(ids.count > 150)
        #expect(await cluster.waitUntil {
            let held = await SelfHealingTests.holders(ids, nodes: cluster.nodes)
            return ids.allSatisfy { held[$0]?.count == 3 }
        })

        let leaver = cluster.nodes[2]
        let leaverHeld = await leaver.holdsLocally(ids).filter { $0 }.count
        #expect(leaverHeld > 0)
        let report = await leaver.leave(handOffTimeout: .seconds(120))
        #expect(report.isComplete)
        #expect(report.ownerDown == 0)
        #expect(report.chunks == leaverHeld)
        // Each of its chunks had one owner fewer without it: roughly one push per chunk.
        #expect(report.pushedCopies >= leaverHeld)

        // Immediately, with repair off everywhere: every chunk is at N=3 among the survivors.
        let survivors = cluster.nodes.enumerated().filter { $0.offset != 2 }.map(\.element)
        let held = await SelfHealingTests.holders(ids, nodes: survivors)
        let short = ids.filter { (held[$0]?.count ?? 0) < 3 }
        #expect(short.isEmpty, "\(short.count) of \(ids.count) chunks below 3 copies right after the leave")

        // Once the survivors see `left`, each chunk sits on its new preference list.
        #expect(await cluster.waitUntil(timeout: .seconds(30)) {
            for node in survivors where await node.status().peers.contains(where: { $0.nodeID == leaver.nodeID.description && $0.state != "left" }) {
                return false
            }
            return true
        })
        let snapshot = survivors[0].placement.snapshot
        #expect(snapshot.peers.count == 4)
        let misplaced = ids.filter { id in
            let owners = Set(snapshot.preferenceList(for: id.bytes).compactMap { owner in survivors.firstIndex { $0.nodeID == owner.nodeID } })
            return owners.count != 3 || !owners.isSubset(of: held[id] ?? [])
        }
        #expect(misplaced.isEmpty, "\(misplaced.count) chunks not on their new preference list")
        for (offset, (capability, bytes)) in files.enumerated() {
            #expect(try await survivors[offset % survivors.count].fileDecoder().read(capability) == bytes)
        }
        for node in survivors { await node.stop() }
        try? FileManager.default.removeItem(atPath: cluster.root)
    }
}
