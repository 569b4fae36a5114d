import Foundation
import Peer
import Testing

/// The dashboard of real `p2pd` processes, loaded in headless Chromium (Debian's
/// `chromium`; `tools/test` installs it when run as root).
@Suite(.serialized) struct DashboardProcessTests {
    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed: apt-get install chromium (tools/ensure-packages does it as root)"))
    func dashboardShowsEveryPeerAndItsStateAfterOneIsKilled() async throws {
        let cluster = try ProcessCluster(peers: 3)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let client = try cluster.client(0)
        let ids = try (0..<3).map { try cluster.nodeID($0) }
        let url = "http://\(client.address)/#token=\(client.token)"

        let page = try Chromium.dumpDOM(url, profile: cluster.root + "/chromium")
        let rows = Chromium.peerRows(page)
        for id in ids {
            #expect(rows[id] == "alive", "peer \(id.prefix(12)) shows as \(rows[id] ?? "missing")")
            #expect(page.contains(">\(id.prefix(12))"), "the short NodeID \(id.prefix(12)) is not on the page")
        }
        // The page took the token from the fragment and shows the figures it fetched with it.
        #expect(page.contains("3 / 3"))

        cluster.kill(2)
        let gone = await Daemon.eventually(timeout: .seconds(60)) {
            guard let status = try? await client.status() else { return false }
            return status.peers.first { $0.nodeID == ids[2] }?.state != "alive"
        }
        #expect(gone, "peer 0 never saw the killed peer leave alive")
        let after = Chromium.peerRows(try Chromium.dumpDOM(url, profile: cluster.root + "/chromium"))
        #expect(["suspect", "dead"].contains(after[ids[2]] ?? ""), "the killed peer shows as \(after[ids[2]] ?? "missing")")
        #expect(after[ids[0]] == "alive" && after[ids[1]] == "alive")

        // The daemon's metrics count the TLS handshakes that joined the three peers.
        let metrics = String(decoding: try await client.request(.GET, "/metrics").body, as: UTF8.self)
        let handshakes = metrics.split(separator: "\n").first { $0.hasPrefix(#"p2p_tls_handshakes_total{role="server",outcome="success"}"#) }
        #expect((handshakes.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0) > 0)
    }
}

extension DashboardProcessTests {
    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed: apt-get install chromium (tools/ensure-packages does it as root)"))
    func dashboardShowsAFolderInErrorWithItsReason() async throws {
        let devices = try await SyncProcessTests.Devices()
        let cluster = devices.cluster
        try devices.trees[0].write("notes.txt", "kept")
        #expect(await devices.converge(), "\(devices.differences(1))")
        let broken = devices.trees[0].root
        try FileManager.default.removeItem(atPath: broken + "/.p2pfolder")
        let reason = "cannot sync \(broken): its .p2pfolder marker is missing"
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            (try? CLIProcessTests.folders(cluster, 0).first?.lastError?.hasPrefix(reason)) == true
        })
        let folderID = try #require(try CLIProcessTests.folders(cluster, 0).first?.folderID)

        let client = try cluster.client(0)
        let page = try Chromium.dumpDOM("http://\(client.address)/#token=\(client.token)", profile: cluster.root + "/chromium")
        let row = try #require(page.firstMatch(of: /<tr data-folder="([0-9a-f]+)" data-state="([a-z]+)">(.*?)<\/tr>/), "no folder row")
        #expect(row.output.1 == folderID && row.output.2 == "error")
        #expect(row.output.3.contains(">\(broken)<") && row.output.3.contains(reason), "\(row.output.3)")
        // The durability figures and a legend that explains the holder ring.
        #expect(page.contains("chunks at N copies") && page.contains("ring: holds chunks of the file shown"))
    }
}

/// Debian's headless Chromium, driven from the command line.
enum Chromium {
    static var path: String? {
        let candidates = [ProcessInfo.processInfo.environment["CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The DOM after the page's scripts ran (virtual time lets its fetches finish), bounded by `timeout`.
    static func dumpDOM(_ url: String, profile: String) throws -> String {
        let result = try Daemon.run(
            ["60", path ?? "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)",
             "--virtual-time-budget=5000", "--dump-dom", url],
            binary: "/usr/bin/timeout")
        guard result.status == 0 else { throw ClusterError(message: "chromium exited \(result.status): \(result.stderr.suffix(500))") }
        return result.stdout
    }

    /// NodeID → state of every row of the peer table.
    static func peerRows(_ dom: String) -> [String: String] {
        var rows: [String: String] = [:]
        for match in dom.matches(of: /<tr data-node="([a-z2-7]+)" data-state="([a-z]+)"/) {
            rows[String(match.output.1)] = String(match.output.2)
        }
        return rows
    }
}
