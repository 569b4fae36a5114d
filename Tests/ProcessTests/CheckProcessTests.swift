import Foundation
import Testing

/// `p2pd check` (issue 21): a home with a world-readable secret, a broken configuration and
/// a damaged database gets one line per problem and exit 1; a good one exits 0, also
/// beside the daemon that serves it.
@Suite(.serialized) struct CheckProcessTests {
    @Test func aDamagedHomeIsReportedProblemByProblemAndAGoodOnePasses() async throws {
        let cluster = try ProcessCluster(peers: 1)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(1))
        let home = cluster.homes[0]
        let beside = try Daemon.run(["check", "--home", home])
        #expect(beside.status == 0 && beside.stdout.contains("databases intact"), "beside the daemon: \(beside.stderr)")
        #expect(cluster.terminate(0) == 0)
        let good = try Daemon.run(["check", "--home", home])
        #expect(good.status == 0, "\(good.stderr)")

        chmod(home + "/network.secret", 0o644)
        try Data("{".utf8).write(to: URL(fileURLWithPath: home + "/config.json"))
        // The database's header stays, the pages after it become garbage; its write-ahead
        // log (which holds most of a young index) is lost with it, as in a bad restore.
        let database = home + "/data/index.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let handle = try #require(FileHandle(forWritingAtPath: database))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16_384))
        try handle.close()

        let bad = try Daemon.run(["check", "--home", home])
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        let lines = bad.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("network.secret can be read by others (mode 644): chmod 600") }, "\(bad.stderr)")
        #expect(lines.contains { $0.contains("config.json") }, "\(bad.stderr)")
        #expect(lines.contains { $0.contains("index.sqlite is damaged") }, "\(bad.stderr)")
        #expect(lines.last == "p2pd: 3 problems in \(home)", "\(bad.stderr)")

        let missing = try Daemon.run(["check", "--home", cluster.root + "/nothing-here"])
        #expect(missing.status != 0 && !missing.stderr.isEmpty)
    }

    /// `p2pd run --log-format json`: every line a JSON object with time, level, source and
    /// message; a format it does not know exits 2.
    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let cluster = try ProcessCluster(peers: 1, runArguments: ["--log-format", "json"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(1))
        let lines = cluster.log(0).split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String && object?["time"] is String, "\(line)")
        }
        #expect(lines.contains { $0.contains("API listening") })
        let unknown = try Daemon.run(["run", "--home", cluster.homes[0], "--log-format", "xml"])
        #expect(unknown.status == 2 && unknown.stderr.contains("--log-format"), "\(unknown.stderr)")
    }
}
