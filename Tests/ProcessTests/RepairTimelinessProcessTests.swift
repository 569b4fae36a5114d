import Foundation
import Testing

/// Healing starts when the membership knows, not at the next periodic pass: real
/// processes, a peer SIGKILLed for good, repair passes a minute apart.
@Suite(.serialized) struct RepairTimelinessProcessTests {
    struct Report: Decodable {
        struct Chunk: Decodable { var id: String; var holders: [String] }
        var chunks: [Chunk]
    }

    @Test func aDeadPeersChunksAreBackAtNWithinGracePlusTwentySeconds() async throws {
        let cluster = try ProcessCluster(peers: 5, extraInit: ["--removal-grace", "3s"], environment: ["P2P_REPAIR_INTERVAL": "60s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let path = cluster.root + "/data.bin"
        try writeRandomFile(path, size: 6 << 20)
        let cap = try cluster.p2p(0, ["put", "--quiet", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        func locate(_ peer: Int) -> Report? {
            guard let located = try? cluster.p2p(peer, ["locate", "--json", cap]), located.status == 0 else { return nil }
            return try? JSONDecoder().decode(Report.self, from: Data(located.stdout.utf8))
        }
        var report = Report(chunks: [])
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = locate(0) else { return false }
            report = located
            return !located.chunks.isEmpty && located.chunks.allSatisfy { $0.holders.count == 3 }
        })
        let ids = try (0..<5).map { try cluster.nodeID($0) }
        let victim = try #require((1..<5).first { report.chunks[0].holders.contains(ids[$0]) })
        let live = (0..<5).filter { $0 != victim }
        // Let every live peer finish its first passes, so what follows is the reaction. A
        // pass that ran while the put's last copy was still in flight says "below N" until
        // the next pass, a repair interval (60 s) later: the deadline allows for that one.
        #expect(await Daemon.eventually(timeout: .seconds(90)) {
            for peer in live {
                guard let figures = try? await cluster.client(peer).status().durability, figures.passes >= 1, figures.belowN == 0 else { return false }
            }
            return true
        })

        let clock = ContinuousClock()
        let killed = clock.now
        cluster.kill(victim)
        let observer = live[0]
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            (try? await cluster.client(observer).status().peers.first { $0.nodeID == ids[victim] }?.state) == "dead"
        })
        let declaredDead = clock.now
        // Within 5 s of "dead", some live peer reports chunks below N.
        var sawBelowN = false
        _ = await Daemon.eventually(timeout: .seconds(5)) {
            for peer in live where ((try? await cluster.client(peer).status().durability?.belowN) ?? 0) > 0 {
                sawBelowN = true
            }
            return sawBelowN
        }
        #expect(sawBelowN, "no live peer reported chunks below N within 5 s of the death (\(clock.now - declaredDead))")
        let shown = try cluster.p2p(observer, ["status", "--durability"])
        #expect(shown.status == 0, "\(shown.stderr)")

        // Every chunk back at N on live peers within grace (3 s) + 20 s of the kill.
        var last = Report(chunks: [])
        let healed = await Daemon.eventually(timeout: .seconds(23) - (clock.now - killed)) {
            guard let located = locate(observer) else { return false }
            last = located
            return located.chunks.allSatisfy { $0.holders.count == 3 && !$0.holders.contains(ids[victim]) }
        }
        #expect(healed, "after \(clock.now - killed): \(last.chunks.map(\.holders.count))")
        #expect(last.chunks.count == report.chunks.count)
    }
}
