import APIClient
import Foundation
import Home
import OpenSSLKit
import Peer

/// Real `p2pd` processes on loopback, each with its own home, ports picked free.
final class ProcessCluster: @unchecked Sendable {
    let root: String
    private(set) var homes: [String] = []
    private(set) var processes: [Process?] = []
    /// Added to every `p2pd run`'s environment (e.g. `P2P_REPAIR_INTERVAL`).
    let environment: [String: String]
    /// Added to every `p2pd run` command line (e.g. `--leave-on-stop`).
    let runArguments: [String]
    /// Added to every peer's `p2pd init` (per-peer settings such as `--gc-interval`).
    let peerInit: [String]
    /// Each peer's S3 gateway port, when the cluster was made with `s3: true`.
    private(set) var s3Ports: [Int] = []

    /// `extraInit` goes to the first peer's `p2pd init` (the network's settings), `peerInit`
    /// to every peer's; `capacities[i]` is peer i's `--capacity` (20G for the others).
    init(
        peers: Int, replicas: Int = 3, writeQuorum: Int = 2, extraInit: [String] = [], peerInit: [String] = [],
        capacities: [String] = [], runArguments: [String] = [], environment: [String: String] = [:], s3: Bool = false
    ) throws {
        root = try Daemon.temporaryDirectory()
        self.environment = environment
        self.runArguments = runArguments
        self.peerInit = peerInit
        for index in 0..<peers {
            let home = root + "/p\(index)"
            var arguments = ["init", "--home", home, "--listen", "127.0.0.1:\(try Daemon.freePort())",
                             "--api", "127.0.0.1:\(try Daemon.freePort())", "--zone", "z\(index % 3)", "--capacity", index < capacities.count ? capacities[index] : "20G"] + peerInit
            if index == 0 {
                arguments += ["--replicas", "\(replicas)", "--write-quorum", "\(writeQuorum)"] + extraInit
            } else {
                arguments += ["--join", try Daemon.run(["token", "--home", homes[0]]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
            }
            let created = try Daemon.run(arguments)
            guard created.status == 0 else { throw ClusterError(message: "init failed: \(created.stderr)") }
            homes.append(home)
        }
        processes = Array(repeating: nil, count: peers)
        if s3 { s3Ports = try (0..<peers).map { _ in try Daemon.freePort() } }
        for index in 0..<peers { try start(index) }
    }

    /// Creates one more peer that joins with `token` (by default peer 0's), starts it and
    /// returns its index.
    func addPeer(token given: String? = nil) throws -> Int {
        let index = homes.count
        let home = root + "/p\(index)"
        let token = try given ?? Daemon.run(["token", "--home", homes[0]]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let created = try Daemon.run([
            "init", "--home", home, "--listen", "127.0.0.1:\(try Daemon.freePort())", "--api", "127.0.0.1:\(try Daemon.freePort())",
            "--zone", "z\(index % 3)", "--capacity", "20G", "--join", token,
        ] + peerInit)
        guard created.status == 0 else { throw ClusterError(message: "init of peer \(index) failed: \(created.stderr)") }
        homes.append(home)
        processes.append(nil)
        try start(index)
        return index
    }

    func start(_ index: Int) throws {
        let gateway = index < s3Ports.count ? ["--s3", "127.0.0.1:\(s3Ports[index])"] : []
        processes[index] = try Daemon.start(
            home: homes[index], log: root + "/p\(index).log", arguments: runArguments + gateway, environment: environment)
    }

    /// SIGTERM, the graceful stop; waits for the exit and returns the exit status.
    func terminate(_ index: Int) -> Int32? {
        guard let process = processes[index] else { return nil }
        process.terminate()
        process.waitUntilExit()
        processes[index] = nil
        return process.terminationStatus
    }

    /// Waits for peer `index` to exit by itself (a drain); its exit status, or nil when it
    /// still runs at the deadline.
    func waitForExit(_ index: Int, timeout: Duration) async -> Int32? {
        guard let process = processes[index] else { return nil }
        guard await Daemon.eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        processes[index] = nil
        return process.terminationStatus
    }

    func log(_ index: Int) -> String { Daemon.log(root + "/p\(index).log") }

    /// SIGSTOP: the peer hangs, its sockets open and silent.
    func hang(_ index: Int) {
        if let process = processes[index] { Foundation.kill(process.processIdentifier, SIGSTOP) }
    }

    /// SIGCONT: a hung peer carries on.
    func resume(_ index: Int) {
        if let process = processes[index] { Foundation.kill(process.processIdentifier, SIGCONT) }
    }

    func kill(_ index: Int) {
        if let process = processes[index] { Daemon.stop(process) }
        processes[index] = nil
    }

    func client(_ index: Int) throws -> APIClient { try APIClient(home: PeerHome(path: homes[index])) }

    func nodeID(_ index: Int) throws -> String { try PeerHome(path: homes[index]).nodeID().description }

    /// True once every running peer sees `count` peers alive.
    func waitUntilAlive(_ count: Int, timeout: Duration = .seconds(60)) async -> Bool {
        await Daemon.eventually(timeout: timeout) {
            for index in processes.indices where processes[index] != nil {
                guard let status = try? await client(index).status(), status.peers.filter({ $0.state == "alive" }).count == count else {
                    return false
                }
            }
            return true
        }
    }

    /// Runs `p2p` against peer `index`.
    func p2p(_ index: Int, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Daemon.run(["--home", homes[index]] + arguments, binary: Daemon.cli)
    }

    /// Peak resident memory of peer `index` so far, in bytes (VmHWM).
    func peakMemory(_ index: Int) -> UInt64? {
        guard let pid = processes[index]?.processIdentifier,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = UInt64(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) else { return nil }
        return kib * 1024
    }

    func shutdown() {
        for index in processes.indices { kill(index) }
        // P2P_KEEP_TEST_DIRS=1 keeps homes and logs for a post-mortem.
        if ProcessInfo.processInfo.environment["P2P_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(atPath: root) }
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A file of `size` random bytes, written a MiB at a time. By default each MiB repeats the
/// first with one byte changed: cheap to write, and content-defined chunking stores most
/// of it once (each MiB's first chunk differs, the others dedup). With `unique`, every
/// byte is random, so every chunk is new and the stores hold the whole size.
func writeRandomFile(_ path: String, size: Int, unique: Bool = false) throws {
    var bytes = try SecureRandom.bytes(count: min(size, 1 << 20))
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var remaining = size
    while remaining > 0 {
        let count = min(remaining, bytes.count)
        try handle.write(contentsOf: bytes[0..<count])
        remaining -= count
        if unique { bytes = try SecureRandom.bytes(count: bytes.count) } else { bytes[0] &+= 1 }
    }
    try handle.close()
}
