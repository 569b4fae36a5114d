import Foundation
import Peer
import TestSupport
import Testing

/// Real `p2pd` processes with their own homes on loopback: identity, admission, refusal.
@Suite(.serialized) struct DaemonProcessTests {
    @Test func initCreatesAnIdentityWithPrivateSecretsAndRefusesToOverwrite() throws {
        let root = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = root + "/a"
        let created = try Daemon.run(["init", "--home", home, "--listen", "127.0.0.1:0"])
        #expect(created.status == 0)
        let nodeID = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(nodeID.count == 52)
        #expect(try Daemon.run(["id", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == nodeID)
        for secret in ["node.key", "network.secret", "convergence.secret", "api.token"] {
            let mode = try FileManager.default.attributesOfItem(atPath: home + "/" + secret)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(secret) must be 0600")
        }
        let again = try Daemon.run(["init", "--home", home])
        #expect(again.status == 2)
        #expect(again.stderr.contains("refusing to overwrite"))
        #expect(try Daemon.run(["id", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == nodeID)

        let token = try Daemon.run(["token", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parsed = try JoinToken(parsing: token)
        #expect(parsed.seeds == ["127.0.0.1:0"])
        #expect(try Daemon.run(["init", "--home", root + "/bad", "--join", "p2pnet1:zzz@h:1"]).status == 2)
        #expect(try Daemon.run(["id", "--home", root + "/missing"]).status == 1)
    }

    @Test func peersOfOneNetworkMeetAndAnOutsiderIsRefused() async throws {
        let root = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Every peer gets its own API port too: `p2pd run` fails when its API address is taken.
        let portA = try Daemon.freePort(), portB = try Daemon.freePort(), portC = try Daemon.freePort()
        _ = try Daemon.run(["init", "--home", root + "/a", "--listen", "127.0.0.1:\(portA)", "--api", "127.0.0.1:\(try Daemon.freePort())"])
        let token = try Daemon.run(["token", "--home", root + "/a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Daemon.run([
            "init", "--home", root + "/b", "--listen", "127.0.0.1:\(portB)", "--api", "127.0.0.1:\(try Daemon.freePort())", "--join", token,
        ])
        // C holds another network's secret but names A as its seed.
        _ = try Daemon.run(["init", "--home", root + "/c", "--listen", "127.0.0.1:\(portC)", "--api", "127.0.0.1:\(try Daemon.freePort())"])
        let outsiderToken = try Daemon.run(["token", "--home", root + "/c"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "@127.0.0.1:\(portC)", with: "@127.0.0.1:\(portA)")
        _ = try Daemon.run([
            "init", "--home", root + "/d", "--listen", "127.0.0.1:\(try Daemon.freePort())", "--api", "127.0.0.1:\(try Daemon.freePort())",
            "--join", outsiderToken,
        ])
        let outsiderID = try Daemon.run(["id", "--home", root + "/d"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let a = try Daemon.start(home: root + "/a", log: root + "/a.log")
        let b = try Daemon.start(home: root + "/b", log: root + "/b.log")
        let d = try Daemon.start(home: root + "/d", log: root + "/d.log")
        defer { for process in [a, b, d] { Daemon.stop(process) } }

        #expect(await Daemon.eventually { Daemon.log(root + "/b.log").contains("exchanged hello") })
        #expect(await Daemon.eventually { Daemon.log(root + "/d.log").contains("admission refused") })
        #expect(await Daemon.eventually { Daemon.log(root + "/a.log").contains("wrong network secret") })
        // A keeps serving its own network after refusing the outsider.
        #expect(a.isRunning)
        // The outsider's requests never reached A's RPC layer: no hello from it, only from B.
        let hellos = Daemon.log(root + "/a.log").split(separator: "\n").filter { $0.contains("hello from peer") }
        #expect(!hellos.isEmpty)
        #expect(!hellos.contains { $0.contains(String(outsiderID.prefix(12))) })

        // A graceful stop on SIGTERM.
        a.terminate()
        a.waitUntilExit()
        #expect(a.terminationStatus == 0)
        #expect(Daemon.log(root + "/a.log").contains("peer stopped"))
    }
}

/// Runs the `p2pd` built next to this test binary.
enum Daemon {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["P2PD"] { return path }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("p2pd").path
    }

    /// The `p2p` command-line tool built beside `p2pd`.
    static var cli: String {
        if let path = ProcessInfo.processInfo.environment["P2P"] { return path }
        return URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("p2p").path
    }

    static func run(
        _ arguments: [String], binary: String = binary, prefix: [String] = [], environment: [String: String]? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = prefix + arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    static func start(home: String, log: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--home", home, "--log-level", "debug"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func log(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func eventually(timeout: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
        await TestSupport.eventually(timeout: timeout, every: .milliseconds(50), condition)
    }

    static func freePort() throws -> Int { try Scratch.freePort() }

    static func temporaryDirectory() throws -> String { try Scratch.directory() }
}
