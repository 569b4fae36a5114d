import APIModel
import Foundation

/// A `tools/netlab` lab for one test: real `p2pd` processes, each in its own network
/// namespace, in zones joined by the relay's links (latency, loss, cuts). Needs root, as
/// `tools/test` has. `shutdown` removes every namespace; the folder is kept when the test
/// failed or `P2P_KEEP_TEST_DIRS` is set, for the post-mortem.
final class NetLab: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let directory: String

    /// Given to the lab's `p2pd` processes: repair passes every 2 s, so the network settles
    /// back at N within a test.
    static let peerEnvironment = ["P2P_REPAIR_INTERVAL": "2s"]

    /// `up PEERS --zones ZONES` followed by `arguments` (`--rtt 60ms`, `--replicas 3`, …).
    init(peers: Int, zones: Int, _ arguments: [String] = []) throws {
        directory = try Daemon.temporaryDirectory()
        let up = try run(["up", "\(peers)", "--zones", "\(zones)"] + arguments)
        guard up.status == 0 else { throw ClusterError(message: "netlab up failed: \(up.stderr)") }
    }

    /// Runs `tools/netlab --dir DIR ARGUMENTS`.
    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Daemon.run(["--dir", directory] + arguments, binary: Self.repository + "/tools/netlab", environment: Self.environment)
    }

    /// Runs `tools/netlab-check ARGUMENTS` (the history checker).
    static func check(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Daemon.run(arguments, binary: repository + "/tools/netlab-check", environment: environment)
    }

    /// The built binaries for the tools, beside this test's `p2pd`.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment
            .merging(["P2P_BIN": URL(fileURLWithPath: Daemon.binary).deletingLastPathComponent().path]) { $1 }
            .merging(peerEnvironment) { $1 }
    }

    /// `p2p --home peerI ARGUMENTS`, run from the lab's client namespace.
    func p2p(_ index: Int, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(["p2p", "\(index)"] + arguments)
    }

    /// Peer `index`'s status document.
    func status(_ index: Int) throws -> NodeStatus {
        let answer = try p2p(index, ["status", "--json"])
        guard answer.status == 0 else { throw ClusterError(message: "status of peer \(index): \(answer.stderr)") }
        return try JSONDecoder().decode(NodeStatus.self, from: Data(answer.stdout.utf8))
    }

    /// Chunk fetches peer `index` has served to other peers (its `fetch_chunk` RPC counter).
    func fetchesServed(_ index: Int) throws -> Int {
        Int(try metric(index, #"p2p_rpc_requests_total{method="fetch_chunk",outcome="success"}"#) ?? 0)
    }

    /// The value of the series `series` (name and labels, as exported) in peer `index`'s metrics.
    func metric(_ index: Int, _ series: String) throws -> Double? {
        let metrics = try run(["metrics", "\(index)"])
        guard metrics.status == 0 else { throw ClusterError(message: "metrics of peer \(index): \(metrics.stderr)") }
        let line = metrics.stdout.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Double($0.split(separator: " ").last.map(String.init) ?? "") }
    }

    func log(_ index: Int) -> String { Daemon.log(directory + "/peer\(index).log") }

    /// True once every peer in `indexes` sees `count` peers alive.
    func waitUntilAlive(_ count: Int, peers indexes: Range<Int>, timeout: Duration = .seconds(60)) async -> Bool {
        await Daemon.eventually(timeout: timeout) {
            indexes.allSatisfy { index in
                (try? status(index))?.peers.filter { $0.state == "alive" }.count == count
            }
        }
    }

    /// Stops every process and removes every namespace; keeps the folder when `keep`.
    func shutdown(keep: Bool = false) {
        _ = try? run(["down"])
        if keep || ProcessInfo.processInfo.environment["P2P_KEEP_TEST_DIRS"] != nil {
            print("netlab: the lab's logs and history are kept in \(directory)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
