import Foundation
import Testing

/// `p2p network revoke` (issue 21), with real processes: the revoked peer is refused at
/// admission by every other peer, gone from every status, its chunks back at N on the
/// others; a peer away during the rotation catches up when it returns; the revoked peer's
/// old join token no longer admits anyone, a new token does; concurrent revocations from
/// two members both stand, with one secret.
@Suite(.serialized) struct RevocationProcessTests {
    struct Report: Decodable {
        struct Chunk: Decodable { var id: String; var holders: [String] }
        var chunks: [Chunk]
    }

    static func locate(_ cluster: ProcessCluster, _ peer: Int, _ cap: String) -> Report? {
        guard let located = try? cluster.p2p(peer, ["locate", "--json", cap]), located.status == 0 else { return nil }
        return try? JSONDecoder().decode(Report.self, from: Data(located.stdout.utf8))
    }

    static func network(_ cluster: ProcessCluster, _ peer: Int) async -> (key: String, revoked: [String])? {
        guard let network = try? await cluster.client(peer).network() else { return nil }
        return (network.key, network.revoked)
    }

    @Test func aRevokedPeerIsShutOutItsDataHealsAndAPeerAwayCatchesUp() async throws {
        let cluster = try ProcessCluster(peers: 5, extraInit: ["--removal-grace", "10m"], environment: ["P2P_REPAIR_INTERVAL": "60s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let path = cluster.root + "/data.bin"
        try writeRandomFile(path, size: 6 << 20, unique: true)
        let cap = try cluster.p2p(0, ["put", "--quiet", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var report = Report(chunks: [])
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = Self.locate(cluster, 0, cap) else { return false }
            report = located
            return !located.chunks.isEmpty && located.chunks.allSatisfy { $0.holders.count == 3 }
        })
        let ids = try (0..<5).map { try cluster.nodeID($0) }
        let victim = try #require((1..<5).first { report.chunks[0].holders.contains(ids[$0]) })
        let away = try #require((1..<5).first { $0 != victim })
        let honest = (0..<5).filter { $0 != victim && $0 != away }
        let oldToken = try Daemon.run(["token", "--home", cluster.homes[victim]]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // One member is away during the rotation.
        #expect(cluster.terminate(away) == 0)
        let clock = ContinuousClock()
        let revokedAt = clock.now
        let revoke = try cluster.p2p(honest[0], ["network", "revoke", ids[victim]])
        #expect(revoke.status == 0 && revoke.stdout.contains("revoked \(ids[victim].prefix(12))"), "\(revoke.stdout)\(revoke.stderr)")
        #expect(revoke.stdout.contains("told 2 of 2 members"), "\(revoke.stdout)")

        // Every other running peer: on the new key, the victim gone from its status, and the
        // victim refused at admission (its probes keep coming).
        let short = String(ids[victim].prefix(12))
        let shutOut = await Daemon.eventually(timeout: .seconds(30)) {
            guard let reference = await Self.network(cluster, honest[0]) else { return false }
            for peer in honest {
                guard let network = await Self.network(cluster, peer), network.key == reference.key, network.revoked == [ids[victim]],
                    let status = try? await cluster.client(peer).status(), !status.peers.contains(where: { $0.nodeID == ids[victim] }),
                    cluster.log(peer).contains("revoked by the network (p2p network revoke) (peer \(short))")
                else { return false }
            }
            return true
        }
        #expect(shutOut, "after \(clock.now - revokedAt)")
        // The revoked peer's own log says it is refused.
        #expect(await Daemon.eventually(timeout: .seconds(30)) { cluster.log(victim).contains("it refused this peer") })
        // The keys are stored, private, and the token handed out now is a new one.
        for peer in honest {
            var info = stat()
            #expect(stat(cluster.homes[peer] + "/network.json", &info) == 0 && info.st_mode & 0o077 == 0)
        }
        let newToken = try Daemon.run(["token", "--home", cluster.homes[honest[0]]]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken != oldToken && !newToken.isEmpty)

        // The member that was away returns, is admitted with its old key, catches up, and
        // is alive everywhere on the new key.
        try cluster.start(away)
        let rejoined = await Daemon.eventually(timeout: .seconds(30)) {
            guard let reference = await Self.network(cluster, honest[0]), let mine = await Self.network(cluster, away),
                mine.key == reference.key, mine.revoked == [ids[victim]] else { return false }
            for peer in honest + [away] {
                guard let status = try? await cluster.client(peer).status(),
                    status.peers.filter({ $0.state == "alive" }).count == 4 else { return false }
            }
            return true
        }
        #expect(rejoined, "\(cluster.log(away).suffix(2000))")

        // Every chunk back at N on the others, without the victim.
        var last = Report(chunks: [])
        let healed = await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = Self.locate(cluster, honest[1], cap) else { return false }
            last = located
            // At N or above: a stand-in's surplus copy goes at a later repair pass.
            return located.chunks.allSatisfy { $0.holders.count >= 3 && !$0.holders.contains(ids[victim]) }
        }
        #expect(healed, "\(last.chunks.map(\.holders.count))")
        #expect(last.chunks.count == report.chunks.count)
        let back = try cluster.p2p(away, ["get", "--quiet", cap, "-o", cluster.root + "/back.bin"])
        #expect(back.status == 0 && FileManager.default.contentsEqual(atPath: cluster.root + "/back.bin", andPath: path), "\(back.stderr)")

        // The revoked peer's old token admits nobody; the new token does.
        let stranger = try cluster.addPeer(token: oldToken)
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            honest.contains { cluster.log($0).contains("stale network secret from a peer the network did not know") }
        })
        let newcomer = try cluster.addPeer(token: newToken)
        let newcomerID = try cluster.nodeID(newcomer), strangerID = try cluster.nodeID(stranger)
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            guard let status = try? await cluster.client(honest[0]).status() else { return false }
            return status.peers.contains { $0.nodeID == newcomerID && $0.state == "alive" }
        })
        let status = try await cluster.client(honest[0]).status()
        #expect(!status.peers.contains { $0.nodeID == strangerID })
    }

    @Test func concurrentRevocationsFromTwoMembersBothStandWithOneSecret() async throws {
        let cluster = try ProcessCluster(peers: 5)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let ids = try (0..<5).map { try cluster.nodeID($0) }
        async let first = Task.detached { try cluster.p2p(0, ["network", "revoke", ids[3]]) }.value
        async let second = Task.detached { try cluster.p2p(1, ["network", "revoke", ids[4]]) }.value
        let (a, b) = try await (first, second)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        var views: [String] = []
        let converged = await Daemon.eventually(timeout: .seconds(30)) {
            views = []
            var keys = Set<String>()
            for peer in 0..<3 {
                guard let network = await Self.network(cluster, peer) else { return false }
                views.append("\(peer): \(network.key) \(network.revoked.map { $0.prefix(6) })")
                keys.insert(network.key)
                guard network.revoked == [ids[3], ids[4]].sorted() else { return false }
            }
            return keys.count == 1
        }
        #expect(converged, "\(views)")
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            for peer in 0..<3 {
                guard let status = try? await cluster.client(peer).status(), status.peers.count == 3,
                    status.peers.allSatisfy({ $0.state == "alive" }) else { return false }
            }
            return true
        })
        // Each revoked peer is refused by the three that remain.
        for peer in 0..<3 {
            #expect(await Daemon.eventually(timeout: .seconds(30)) {
                let log = cluster.log(peer)
                return log.contains("(peer \(ids[3].prefix(12)))") && log.contains("(peer \(ids[4].prefix(12)))")
                    && log.contains("revoked by the network")
            })
        }
    }
}
