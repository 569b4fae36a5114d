import APIClient
import APIModel
import FolderSync
import Foundation
import Home
import Peer
import TestSupport
import Testing

/// What a newcomer meets at the command line (issue 22), against real `p2pd` processes: for
/// each command the exact first line of stderr and the exit code, and what did (not) happen.
@Suite(.serialized) struct CLIProcessTests {
    /// One command of the table: the peer it runs against, what stderr's first line must be
    /// (nil: nothing on stderr) and the exit code.
    struct Row: CustomStringConvertible {
        var peer = 0
        var arguments: [String]
        var stderr: String?
        var status: Int32
        var description: String { "p2p " + arguments.joined(separator: " ") }
    }

    static func check(_ rows: [Row], on cluster: ProcessCluster) throws {
        for row in rows {
            let result = try cluster.p2p(row.peer, row.arguments)
            #expect(result.status == row.status, "\(row): exit \(result.status), stderr \(result.stderr)")
            #expect(firstLine(result.stderr) == row.stderr, "\(row)")
            #expect(result.stderr.split(separator: "\n").count <= 1, "\(row): more than one line: \(result.stderr)")
        }
    }

    static func firstLine(_ text: String) -> String? { text.split(separator: "\n").first.map(String.init) }

    @Test func folderTokensAreCheckedAndAFolderInErrorSaysWhy() async throws {
        let devices = try await SyncProcessTests.Devices()
        let cluster = devices.cluster, token = devices.token, root = devices.trees[0].root
        let folderID = try #require(try Self.folders(cluster, 0).first?.folderID)
        let fresh = cluster.root + "/fresh"
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)

        var typo = Array(token)
        let position = "p2pfolder2:".count + 20
        typo[position] = typo[position] == "a" ? "b" : "a"
        let unchecked = "p2pfolder1:" + String(repeating: "a", count: 52)
        try Self.check([
            Row(arguments: ["sync", "token", root], stderr: nil, status: 0),
            Row(peer: 1, arguments: ["sync", "add", fresh, "--token", String(typo)],
                stderr: "p2p: invalid folder token: checksum does not match: it was mistyped or altered", status: 2),
            Row(peer: 1, arguments: ["sync", "add", fresh, "--token", unchecked],
                stderr: "p2p: invalid folder token: p2pfolder1: tokens have no checksum and are no longer accepted: run `p2p sync token DIR` on a device that syncs the folder for its p2pfolder2: token",
                status: 2),
            Row(arguments: ["sync", "add", root],
                stderr: "p2p: cannot sync \(root): it is already synced (folder \(folderID)); `p2p sync token \(root)` prints its token", status: 2),
            // Quoted as typed (the daemon sees the normalized path).
            Row(arguments: ["sync", "add", root + "/"],
                stderr: "p2p: cannot sync \(root)/: it is already synced (folder \(folderID)); `p2p sync token \(root)` prints its token", status: 2),
            Row(arguments: ["sync", "token", fresh], stderr: "p2p: \(fresh) is not a synced folder (`p2p sync list` shows them)", status: 2),
            Row(arguments: ["sync", "remove", fresh], stderr: "p2p: \(fresh) is not a synced folder (`p2p sync list` shows them)", status: 2),
            Row(arguments: ["sync", "status", fresh], stderr: "p2p: \(fresh) is not a synced folder (`p2p sync list` shows them)", status: 2),
            Row(arguments: ["sync", "list", fresh], stderr: "p2p: \(fresh) is not a synced folder (`p2p sync list` shows them)", status: 2),
        ], on: cluster)
        // The typo created nothing: no marker in the directory, still one folder on the device.
        #expect(!FileManager.default.fileExists(atPath: fresh + "/.p2pfolder"))
        #expect(try Self.folders(cluster, 1).count == 1)
        // Every device shows the same folder's token again.
        #expect(try cluster.p2p(0, ["sync", "token", root]).stdout == token + "\n")
        #expect(try cluster.p2p(1, ["sync", "token", devices.trees[1].root]).stdout == token + "\n")

        // A device's folder, once it holds a file, loses its marker: `error` and the reason, in text and JSON, for as
        // long as it lasts — not `idle` between scans.
        try devices.trees[0].write("notes.txt", "kept")
        #expect(await devices.converge(), "\(devices.differences(1))")

        // One identity per device and folder: the id device 0 shows as its own is the one
        // device 1 lists; statuses and lists take a folder argument and have headers.
        let own = try #require(try Self.folders(cluster, 0).first?.deviceID)
        #expect(await Daemon.eventually { (try? Self.folders(cluster, 1).first?.devices.map(\.id).contains(own)) == true })
        let status = try cluster.p2p(0, ["sync", "status", root]).stdout
        #expect(status.contains("  own id     \(own.prefix(12))  (this peer's key in this folder") && status.contains("  files      1 file, 4 B"), "\(status)")
        #expect(status.contains("    DEVICE        SEQUENCE  ENTRIES  LAST CHANGE"), "\(status)")
        let listed = try cluster.p2p(0, ["sync", "list", root]).stdout.split(separator: "\n")
        #expect(listed.count == 2 && listed[0].hasPrefix("PATH ") && listed[1].hasPrefix(root + "  "), "\(listed)")
        let broken = devices.trees[1].root
        let failedRound = "sync round failed"
        let roundsBefore = cluster.log(1).components(separatedBy: failedRound).count
        try FileManager.default.removeItem(atPath: broken + "/.p2pfolder")
        let reason = "cannot sync \(broken): its .p2pfolder marker is missing"
        let inError = await Daemon.eventually(timeout: .seconds(30)) {
            guard let json = try? cluster.p2p(1, ["sync", "status", "--json"]).stdout else { return false }
            return json.contains("\"state\" : \"error\"") && json.contains(reason)
        }
        #expect(inError, "\((try? cluster.p2p(1, ["sync", "status", "--json"]).stdout) ?? "")")
        // Past three more rounds (one per 2 s poll, each logging its failure), it still says so.
        let rounds = await Daemon.eventually(timeout: .seconds(30)) {
            cluster.log(1).components(separatedBy: failedRound).count >= roundsBefore + 3
        }
        #expect(rounds)
        let text = try cluster.p2p(1, ["sync", "status"])
        #expect(text.status == 0 && text.stdout.contains("  state      error — \(reason)"), "\(text.stdout)")
        let list = try cluster.p2p(1, ["sync", "list"])
        let line = list.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(list.stdout.hasPrefix("PATH ") && line.hasPrefix(broken + "  "), "\(list.stdout)")
        #expect(line.replacing(/\ +/, with: " ").hasPrefix("\(broken) \(folderID) error \(reason): is the folder deleted or its disk unmounted?"), "\(list.stdout)")
        let json = try cluster.p2p(1, ["sync", "status", "--json"]).stdout
        #expect(json.contains("\"state\" : \"error\"") && json.contains("\"lastError\" : \"\(reason)"), "\(json)")

        // The marker back: the folder syncs again.
        _ = FileManager.default.createFile(atPath: broken + "/.p2pfolder", contents: Data())
        let recovered = await Daemon.eventually(timeout: .seconds(30)) {
            (try? Self.folders(cluster, 1).first?.state) == .idle
        }
        #expect(recovered, "\((try? cluster.p2p(1, ["sync", "list"]).stdout) ?? "")")
    }

    @Test func getChecksItsOutputFirstAndErrorsNameTheFix() async throws {
        let cluster = try ProcessCluster(peers: 3)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let text = cluster.root + "/hello.txt"
        try "hello, newcomer\n".write(toFile: text, atomically: false, encoding: .utf8)
        let binary = cluster.root + "/zeros.bin"
        _ = FileManager.default.createFile(atPath: binary, contents: Data(repeating: 0, count: 4096))
        let cap = try cluster.p2p(0, ["put", text]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let binaryCap = try cluster.p2p(0, ["put", binary]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = cluster.root + "/out"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let readsBefore = try await Self.reads(cluster.client(0))
        try Self.check([
            Row(arguments: ["get", cap, "-o", directory],
                stderr: "p2p: -o \(directory) is a directory: give a file name, such as -o \(directory)/NAME", status: 2),
            Row(arguments: ["get", cap, "-o", ""], stderr: "p2p: -o needs a file name (or - for standard output)", status: 2),
            Row(arguments: ["get", cap, "-o", cluster.root + "/absent/x"],
                stderr: "p2p: -o \(cluster.root)/absent/x: no such directory \(cluster.root)/absent", status: 2),
        ], on: cluster)
        // Refused before any request: the peer served no read, and nothing was written.
        #expect(try await Self.reads(cluster.client(0)) == readsBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        let stdout = try cluster.p2p(0, ["get", cap, "-o", "-"])
        #expect(stdout.status == 0 && stdout.stdout == "hello, newcomer\n" && stdout.stderr.isEmpty, "\(stdout)")
        #expect(try await Self.reads(cluster.client(0)) == readsBefore + 1)

        // On a terminal (a pty from script(1)) a transfer over 1 MiB ends with its size, time
        // and rate; a tiny one prints nothing.
        let large = cluster.root + "/large.bin"
        try writeRandomFile(large, size: 3 << 20)
        let largeCap = try cluster.p2p(0, ["put", "--quiet", large]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // Binary bytes to a terminal are refused (a pty from script(1)); --force writes them.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
            let command = "\(Daemon.cli) --home \(cluster.homes[0]) get \(binaryCap)"
            let terminal = try Daemon.run(["-qec", command, "/dev/null"], binary: "/usr/bin/script")
            #expect(terminal.status == 2, "\(terminal)")
            #expect(terminal.stdout.contains("p2p: refusing to write binary output to the terminal: use -o FILE, a pipe, or --force"), "\(terminal.stdout)")
            let forced = try Daemon.run(["-qec", command + " --force > /dev/null", "/dev/null"], binary: "/usr/bin/script")
            #expect(forced.status == 0, "\(forced)")
            let get = "\(Daemon.cli) --home \(cluster.homes[0]) get"
            let timed = try Daemon.run(["-qec", "\(get) \(largeCap) -o \(cluster.root)/large.copy", "/dev/null"], binary: "/usr/bin/script")
            #expect(timed.status == 0 && timed.stdout.contains(/get 3\.0 MiB in [0-9.]+ s \([0-9.]+ [KMG]?i?B\/s\)/), "\(timed.stdout)")
            #expect(FileManager.default.contentsEqual(atPath: large, andPath: cluster.root + "/large.copy"))
            let tiny = try Daemon.run(["-qec", "\(get) \(cap) -o \(cluster.root)/tiny.copy", "/dev/null"], binary: "/usr/bin/script")
            #expect(tiny.status == 0 && tiny.stdout.isEmpty, "\(tiny.stdout)")
        }

        // `p2p chunk` moved under `p2p debug` (the old name stays, unlisted); completions work.
        let chunked = try cluster.p2p(0, ["debug", "chunk", text, "--json"])
        #expect(chunked.status == 0 && chunked.stdout.hasPrefix("{\"chunks\":[{\"offset\":0,\"length\":16,"), "\(chunked)")
        #expect(try cluster.p2p(0, ["chunk", text, "--json"]).stdout == chunked.stdout)
        let help = try Daemon.run(["--help"], binary: Daemon.cli).stdout
        #expect(help.contains("  debug ") && !help.contains("  chunk "), "\(help)")
        let completion = try Daemon.run(["--generate-completion-script", "bash"], binary: Daemon.cli)
        #expect(completion.status == 0 && completion.stdout.contains("debug"))

        // p2pd: usage errors are one line and exit 2; both tools print their version.
        let bogus = try Daemon.run(["--bogus"])
        #expect(bogus.status == 2 && bogus.stderr == "p2pd: Unknown option '--bogus'\n", "\(bogus)")
        let bogusRun = try Daemon.run(["run", "--home", cluster.homes[0], "--bogus"])
        #expect(bogusRun.status == 2 && bogusRun.stderr == "p2pd: Unknown option '--bogus'\n", "\(bogusRun)")
        for binary in [Daemon.binary, Daemon.cli] {
            let version = try Daemon.run(["--version"], binary: binary)
            #expect(version.status == 0 && version.stdout == ReleaseVersion.current + "\n" && version.stderr.isEmpty, "\(binary): \(version)")
        }

        // A home that a running p2pd serves, a peer address and an API address in use.
        let served = try Daemon.run(["run", "--home", cluster.homes[0]])
        #expect(served.status == 1)
        #expect(Self.lastLine(served.stderr) == "p2pd: the home \(cluster.homes[0]) is already served by a running p2pd; stop it first, or give another --home")
        let taken = try PeerHome(path: cluster.homes[1]).configuration()
        for (flag, key, address) in [("--listen", "listen", taken.listen), ("--api", "api", taken.api)] {
            let home = cluster.root + "/taken-\(key)"
            let other = flag == "--listen" ? "--api" : "--listen"
            let created = try Daemon.run(["init", "--home", home, flag, "\(address)", other, "127.0.0.1:\(try Daemon.freePort())"])
            #expect(created.status == 0, "\(created)")
            let run = try Daemon.run(["run", "--home", home])
            #expect(run.status == 1)
            let what = key == "listen" ? "cannot listen for peers on" : "cannot serve the API on"
            #expect(Self.lastLine(run.stderr) == "p2pd: \(what) \(address): the address is in use (another p2pd?); stop what holds it, or change \"\(key)\" in \(home)/config.json",
                    "\(run.stderr.suffix(400))")
        }

        // A home that listens for other machines but would hand out a loopback address.
        let port = try Daemon.freePort()
        let loopback = try Daemon.run([
            "init", "--home", cluster.root + "/loopback", "--listen", "0.0.0.0:\(port)", "--api", "127.0.0.1:\(try Daemon.freePort())",
        ])
        #expect(loopback.status == 0)
        #expect(loopback.stderr == "p2pd: warning: peers are told to reach this one at 127.0.0.1:\(port), a loopback address, so `p2pd token` only works on this machine; give --advertise HOST:\(port) for other machines\n", "\(loopback.stderr)")

        // Two of three peers down: the write quorum (2) cannot be met, and the line says so.
        cluster.kill(1)
        cluster.kill(2)
        let put = try cluster.p2p(0, ["put", binary])
        #expect(put.status == 1, "\(put)")
        #expect(put.stderr.hasPrefix("p2p: write quorum not met: 1 of 3 peers reachable, 2 needed; start the peers that are down (`p2p status`) and retry"), "\(put.stderr)")
        #expect(put.stderr.split(separator: "\n").count == 1)
    }

    /// The README's "Using it" block, run line by line as written in a fresh directory
    /// (`tools/readme-using-it`, which stops the peers it started).
    @Test(.enabled(if: ClusterScript.isUsable, "needs bash and python3"))
    func readmeUsingItWorksAsWritten() throws {
        let script = URL(fileURLWithPath: ClusterScript.script).deletingLastPathComponent().appendingPathComponent("readme-using-it").path
        var environment = ProcessInfo.processInfo.environment
        environment["P2P_BIN"] = URL(fileURLWithPath: Daemon.binary).deletingLastPathComponent().path
        let result = try Daemon.run([script], binary: "/usr/bin/env", prefix: ["bash"], environment: environment)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        #expect(result.stderr.contains("==> every line of the README's 'Using it' succeeded"))
        #expect(result.stderr.contains("+ token=p2pfolder2:"), "the sync add line printed no folder token")
    }

    /// `p2p sync status --json` of peer `index`.
    static func folders(_ cluster: ProcessCluster, _ index: Int) throws -> [FolderStatus] {
        try JSONDecoder().decode(FolderAPIDocuments.Listing.self, from: Data(cluster.p2p(index, ["sync", "status", "--json"]).stdout.utf8)).folders
    }

    /// The last line a tool wrote itself: log records (which start with their ISO 8601
    /// time) are left out, since a library's event loop may log after the tool's final line.
    static func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last { $0.wholeMatch(of: /\d{4}-\d\d-\d\dT.*/) == nil }.map(String.init)
    }

    /// File reads the peer's API served, any outcome (`p2p_get_operations_total`).
    static func reads(_ client: APIClient) async throws -> Double {
        let metrics = String(decoding: try await client.request(.GET, "/metrics").body, as: UTF8.self)
        return metrics.split(separator: "\n").filter { $0.hasPrefix("p2p_get_operations_total") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
}
