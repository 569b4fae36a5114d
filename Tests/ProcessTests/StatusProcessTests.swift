import APIModel
import Foundation
import Home
import Peer
import Testing

/// `p2p status` against real `p2pd run` processes, and `tools/cluster` driving several.
@Suite(.serialized) struct StatusProcessTests {
    @Test func statusTalksToTheRunningDaemonWithTheHomesToken() async throws {
        let root = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = root + "/a"
        let apiPort = try Daemon.freePort()
        _ = try Daemon.run([
            "init", "--home", home, "--listen", "127.0.0.1:\(try Daemon.freePort())", "--api", "127.0.0.1:\(apiPort)",
            "--zone", "lab", "--capacity", "2G",
        ])
        let nodeID = try Daemon.run(["id", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // Nothing listens yet: one clear line, exit 1.
        let early = try Daemon.run(["status", "--home", home], binary: Daemon.cli)
        #expect(early.status == 1)
        #expect(early.stderr == "p2p: no daemon at 127.0.0.1:\(apiPort) — is `p2pd run` running?\n")

        let daemon = try Daemon.start(home: home, log: root + "/a.log")
        defer { Daemon.stop(daemon) }
        #expect(await Daemon.eventually { Daemon.log(root + "/a.log").contains("API listening") })

        let json = try Daemon.run(["status", "--home", home, "--json"], binary: Daemon.cli)
        #expect(json.status == 0, "\(json.stderr)")
        let status = try JSONDecoder().decode(NodeStatus.self, from: Data(json.stdout.utf8))
        #expect(status.node == nodeID)
        let me = try #require(status.peers.first { $0.isSelf })
        #expect(me.nodeID == nodeID && me.zone == "lab" && me.state == "alive" && me.capacityBytes == 2 << 30)

        // Every background worker has run (repair's first pass starts at once).
        let names = ["gc-releases", "gc-renew", "gc-sweep", "hints", "leases", "membership", "placement", "repair", "scrub", "seeds"]
        let workersRan = await Daemon.eventually {
            guard let run = try? Daemon.run(["status", "--home", home, "--workers", "--json"], binary: Daemon.cli), run.status == 0,
                  let workers = try? JSONDecoder().decode([NodeStatus.Worker].self, from: Data(run.stdout.utf8)) else { return false }
            return workers.map(\.name) == names && workers.allSatisfy { $0.runs >= 1 && $0.failures == 0 && $0.lastRunStarted != nil }
        }
        #expect(workersRan)
        let workerTable = try Daemon.run(["status", "--home", home, "--workers"], binary: Daemon.cli)
        #expect(workerTable.status == 0, "\(workerTable.stderr)")
        #expect(workerTable.stdout.hasPrefix("WORKER  "))
        #expect(workerTable.stdout.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != " " }) } == names)

        // The table, with --home before the subcommand as DESIGN.md writes it.
        let table = try Daemon.run(["--home", home, "status"], binary: Daemon.cli)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("NODE") && $0.contains("USED/CAPACITY") })
        #expect(lines.contains { $0.hasPrefix(nodeID.prefix(12) + "*") && $0.contains("lab") && $0.contains("0/2G") })

        // A token the daemon does not hold is refused; the message names the file.
        let tokenFile = home + "/api.token"
        try String(repeating: "ab", count: 32).write(toFile: tokenFile, atomically: false, encoding: .utf8)
        let refused = try Daemon.run(["status", "--home", home], binary: Daemon.cli)
        #expect(refused.status == 1)
        #expect(refused.stderr == "p2p: the API refused the token in \(tokenFile)\n")

        daemon.terminate()
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        #expect(Daemon.log(root + "/a.log").contains("peer stopped"))
    }

    @Test(.enabled(if: ClusterScript.isUsable, "needs bash and python3"))
    func clusterUpStatusDownLeavesNoProcess() async throws {
        let root = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/cluster"
        var pids: [Int32] = []
        defer { for pid in pids where ClusterScript.isAlive(pid) { kill(pid, SIGKILL) } }

        let up = try ClusterScript.run(["up", "3", "--zones", "2", "--dir", dir])
        pids = (0..<3).compactMap { Int32(Daemon.log(dir + "/peer\($0).pid").trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(up.status == 0, "\(up.stderr)")
        #expect(pids.count == 3 && pids.allSatisfy(ClusterScript.isAlive))

        let zones = try (0..<3).map { try PeerHome(path: dir + "/peer\($0)").configuration().zone }
        #expect(zones == ["z0", "z1", "z0"])
        let token = try PeerHome(path: dir + "/peer0").networkSecret()
        #expect(try PeerHome(path: dir + "/peer2").networkSecret() == token)

        let status = try ClusterScript.run(["status", "1", "--json", "--dir", dir])
        #expect(status.status == 0, "\(status.stderr)")
        let document = try JSONDecoder().decode(NodeStatus.self, from: Data(status.stdout.utf8))
        #expect(document.node == (try PeerHome(path: dir + "/peer1").nodeID().description))
        // Through the script, peer 1 comes to list the whole cluster as alive.
        #expect(await Daemon.eventually(timeout: .seconds(15)) {
            guard let run = try? ClusterScript.run(["status", "1", "--json", "--dir", dir]),
                let seen = try? JSONDecoder().decode(NodeStatus.self, from: Data(run.stdout.utf8))
            else { return false }
            return seen.peers.count == 3 && seen.peers.allSatisfy { $0.state == "alive" }
        })

        let environment = try ClusterScript.run(["env", "2", "--dir", dir])
        let bin = URL(fileURLWithPath: Daemon.binary).deletingLastPathComponent().path
        #expect(environment.stdout == "export P2P_HOME=\(dir)/peer2\ncase \":$PATH:\" in *\":\(bin):\"*) ;; *) export PATH=\"\(bin):$PATH\" ;; esac\n")

        let down = try ClusterScript.run(["down", "--dir", dir])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(!pids.contains(where: ClusterScript.isAlive))
        #expect(Daemon.log(dir + "/peer0.log").contains("peer stopped"))
        #expect(FileManager.default.fileExists(atPath: dir + "/peer0/config.json"), "down without --clean keeps the homes")

        #expect(try ClusterScript.run(["down", "--clean", "--dir", dir]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }
}

/// Runs `tools/cluster` with the binaries built next to this test binary.
enum ClusterScript {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/cluster").path
    }

    static var isUsable: Bool {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        func found(_ name: String) -> Bool { path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") } }
        return found("bash") && found("python3")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["P2P_BIN"] = URL(fileURLWithPath: Daemon.binary).deletingLastPathComponent().path
        return try Daemon.run([script] + arguments, binary: "/usr/bin/env", prefix: ["bash"], environment: environment)
    }

    /// True while the process exists and is not a zombie (an orphan's reaper may be slow).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }
}
