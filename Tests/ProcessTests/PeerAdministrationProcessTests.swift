import Foundation
import Testing

/// `p2p peer list | remove | drain` (issue 21), with real processes: a SIGKILLed peer
/// removed is re-replicated at once, without the removal grace (ten minutes here); a drained
/// peer leaves only once every chunk it held is at N on the others, then its daemon exits.
@Suite(.serialized) struct PeerAdministrationProcessTests {
    struct Report: Decodable {
        struct Chunk: Decodable { var id: String; var holders: [String] }
        var chunks: [Chunk]
    }

    /// 5 peers, N=3, repair passes a minute apart and a 10-minute removal grace: neither
    /// would heal within 30 s on its own.
    static func cluster() throws -> ProcessCluster {
        try ProcessCluster(peers: 5, extraInit: ["--removal-grace", "10m"], environment: ["P2P_REPAIR_INTERVAL": "60s"])
    }

    static func locate(_ cluster: ProcessCluster, _ peer: Int, _ cap: String) -> Report? {
        guard let located = try? cluster.p2p(peer, ["locate", "--json", cap]), located.status == 0 else { return nil }
        return try? JSONDecoder().decode(Report.self, from: Data(located.stdout.utf8))
    }

    /// Puts a 6 MiB file through peer 0 and waits until every chunk is at N; the file, where
    /// its chunks are, every NodeID, and a peer other than 0 that holds the first chunk.
    static func putAtN(_ cluster: ProcessCluster) async throws -> (cap: String, report: Report, ids: [String], victim: Int) {
        let path = cluster.root + "/data.bin"
        try writeRandomFile(path, size: 6 << 20, unique: true)
        let put = try cluster.p2p(0, ["put", "--quiet", path])
        #expect(put.status == 0, "\(put.stderr)")
        let cap = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var report = Report(chunks: [])
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = locate(cluster, 0, cap) else { return false }
            report = located
            return !located.chunks.isEmpty && located.chunks.allSatisfy { $0.holders.count == 3 }
        })
        let ids = try (0..<5).map { try cluster.nodeID($0) }
        let victim = try #require((1..<5).first { report.chunks[0].holders.contains(ids[$0]) })
        return (cap, report, ids, victim)
    }

    @Test func aRemovedDeadPeersChunksAreBackAtNWithin30SecondsWithoutTheGrace() async throws {
        let cluster = try Self.cluster()
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let (cap, report, ids, victim) = try await Self.putAtN(cluster)
        let live = (0..<5).filter { $0 != victim }
        let observer = live[0], other = live[1]

        // Refused: a live peer, this peer itself, a malformed id, an unknown one.
        let alive = try cluster.p2p(observer, ["peer", "remove", ids[victim]])
        #expect(alive.status == 1 && alive.stderr.contains("is alive"), "\(alive.stderr)")
        let itself = try cluster.p2p(observer, ["peer", "remove", ids[observer]])
        #expect(itself.status == 1 && itself.stderr.contains("cannot remove this peer itself"), "\(itself.stderr)")
        let malformed = try cluster.p2p(observer, ["peer", "remove", "not-a-node!"])
        #expect(malformed.status == 2 && malformed.stderr.contains("is not a NodeID"), "\(malformed.stderr)")
        let unknown = try cluster.p2p(observer, ["peer", "remove", String(repeating: "a", count: 52)])
        #expect(unknown.status == 1 && unknown.stderr.contains("no member"), "\(unknown.stderr)")
        let list = try cluster.p2p(observer, ["peer", "list"])
        #expect(list.status == 0 && ids.allSatisfy { list.stdout.contains($0) }, "\(list.stdout)\(list.stderr)")

        cluster.kill(victim)
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            let state = try? await cluster.client(observer).status().peers.first { $0.nodeID == ids[victim] }?.state
            return state == "dead" || state == "suspect"
        })
        // Within the grace nothing heals on its own: the victim's chunks are short of a holder.
        let before = try #require(Self.locate(cluster, other, cap))
        #expect(before.chunks.contains { $0.holders.count < 3 }, "\(before.chunks.map(\.holders.count))")
        let clock = ContinuousClock()
        let removedAt = clock.now
        // A unique prefix names the peer, as `p2p peer list` shows it.
        let removed = try cluster.p2p(observer, ["peer", "remove", String(ids[victim].prefix(12))])
        #expect(removed.status == 0 && removed.stdout.contains("removed \(ids[victim].prefix(12))"), "\(removed.stdout)\(removed.stderr)")
        #expect(removed.stdout.contains("told 3 of 3 members"), "\(removed.stdout)")

        var last = Report(chunks: [])
        let healed = await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = Self.locate(cluster, other, cap) else { return false }
            last = located
            return located.chunks.allSatisfy { $0.holders.count == 3 && !$0.holders.contains(ids[victim]) }
        }
        #expect(healed, "after \(clock.now - removedAt): \(last.chunks.map(\.holders.count))")
        #expect(last.chunks.count == report.chunks.count)
        // Every peer that was told shows it removed; the grace is ten minutes, so this is the removal.
        for peer in live {
            let state = try await cluster.client(peer).status().peers.first { $0.nodeID == ids[victim] }?.state
            #expect(state == "removed", "peer \(peer) sees \(state ?? "nothing")")
        }
        #expect(cluster.log(other).contains("member removed"))

        // The removed peer comes back: it answers, refutes, and is placed again.
        try cluster.start(victim)
        #expect(await cluster.waitUntilAlive(5))
        let back = try cluster.p2p(observer, ["get", "--quiet", cap, "-o", cluster.root + "/back.bin"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: cluster.root + "/back.bin", andPath: cluster.root + "/data.bin"))
    }

    @Test func aDrainedPeerLeavesOnlyOnceEveryChunkItHeldIsAtNElsewhere() async throws {
        let cluster = try Self.cluster()
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let (cap, report, ids, victim) = try await Self.putAtN(cluster)
        let held = report.chunks.filter { $0.holders.contains(ids[victim]) }.count
        #expect(held > 0)
        let observer = (0..<5).first { $0 != victim }!

        // Only a peer's own operator drains it.
        let other = try cluster.p2p(observer, ["peer", "drain", ids[victim]])
        #expect(other.status == 1 && other.stderr.contains("drains itself only"), "\(other.stderr)")

        let drain = try cluster.p2p(victim, ["peer", "drain", String(ids[victim].prefix(10))])
        #expect(drain.status == 0, "\(drain.stdout)\(drain.stderr)")
        #expect(drain.stdout.contains("chunks at N elsewhere") && drain.stdout.contains("left the network"), "\(drain.stdout)")
        // At the moment it left, every chunk is at N without it: no waiting for repair.
        let located = try #require(Self.locate(cluster, observer, cap))
        #expect(located.chunks.count == report.chunks.count)
        #expect(located.chunks.allSatisfy { $0.holders.count >= 3 && !$0.holders.contains(ids[victim]) }, "\(located.chunks.map(\.holders.count))")
        let exit = await cluster.waitForExit(victim, timeout: .seconds(30))
        #expect(exit == 0, "exit \(exit.map { "\($0)" } ?? "none"): \(cluster.log(victim).suffix(1500))")
        #expect(cluster.log(victim).contains("hand-off complete; announcing left"))
        #expect(await Daemon.eventually(timeout: .seconds(20)) {
            (try? await cluster.client(observer).status().peers.first { $0.nodeID == ids[victim] }?.state) == "left"
        })
        let back = try cluster.p2p(observer, ["get", "--quiet", cap, "-o", cluster.root + "/back.bin"])
        #expect(back.status == 0 && FileManager.default.contentsEqual(atPath: cluster.root + "/back.bin", andPath: cluster.root + "/data.bin"))
    }

    @Test func aDrainThatWouldLeaveFewerThanNPeersIsRefused() async throws {
        let cluster = try ProcessCluster(peers: 3)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let id = try cluster.nodeID(1)
        let refused = try cluster.p2p(1, ["peer", "drain", id])
        #expect(refused.status == 1 && refused.stderr.contains("cannot drain: 2 other peers alive, each chunk needs 3"), "\(refused.stderr)")
        let status = try await cluster.client(1).status()
        #expect(status.peers.filter { $0.state == "alive" }.count == 3)
    }
}
