import APIClient
import Foundation
import Synchronization
import Testing

/// The storage engine under a real crash: a replica's daemon is SIGKILLed while a stream of
/// puts is being group-committed into its segments.
@Suite(.serialized) struct StorageCrashProcessTests {
    struct Located: Decodable {
        struct Chunk: Decodable { var id: String; var holders: [String] }
        var chunks: [Chunk]
    }

    @Test func aReplicaKilledInTheMiddleOfA256MiBPutStreamLosesNothingAcknowledged() async throws {
        let cluster = try ProcessCluster(peers: 3, environment: ["P2P_REPAIR_INTERVAL": "1s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))

        // 64 files of 4 MiB, put one after the other through peer 0: a 256 MiB stream, of which
        // peer 2 holds a copy of every chunk (N = 3 on 3 peers) until it is killed.
        let count = 64
        let paths = try (0..<count).map { index in
            let path = cluster.root + "/in-\(index)"
            try writeRandomFile(path, size: 4 << 20)
            return path
        }
        let acknowledged = Mutex<[(path: String, cap: String)]>([])
        let putter = Task.detached { () throws -> Void in
            for path in paths {
                let put = try cluster.p2p(0, ["put", "--quiet", path])
                guard put.status == 0 else { throw ClusterError(message: "put of \(path) failed: \(put.stderr)") }
                acknowledged.withLock { $0.append((path, put.stdout.trimmingCharacters(in: .whitespacesAndNewlines))) }
            }
        }
        #expect(await Daemon.eventually(timeout: .seconds(180)) { acknowledged.withLock { $0.count } >= count / 3 })
        // A moment into the next put, whatever the replica is writing at that instant.
        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<40)))  // a random kill point, not synchronization
        cluster.kill(2)
        try await putter.value
        let files = acknowledged.withLock { $0 }
        #expect(files.count == count, "puts went on with W = 2 while the replica was down")

        try cluster.start(2)
        #expect(await cluster.waitUntilAlive(3))
        // Everything acknowledged reads back byte-exact through the restarted peer.
        for (index, file) in files.enumerated() {
            let out = cluster.root + "/out-\(index)"
            let get = try cluster.p2p(2, ["get", "--quiet", file.cap, "-o", out])
            #expect(get.status == 0, "get of file \(index): \(get.stderr)")
            #expect(FileManager.default.contentsEqual(atPath: file.path, andPath: out), "file \(index) differs")
            try? FileManager.default.removeItem(atPath: out)
        }
        // Repair brings the restarted store back to a copy of every chunk, and the stores' own
        // counters agree with what `locate` finds.
        var ids = Set<String>()
        var lastReport = ""
        let agreed = await Daemon.eventually(timeout: .seconds(180)) {
            ids = []
            for file in files {
                guard let located = try? cluster.p2p(1, ["locate", "--json", file.cap]), located.status == 0,
                      let report = try? JSONDecoder().decode(Located.self, from: Data(located.stdout.utf8)),
                      report.chunks.allSatisfy({ $0.holders.count == 3 })
                else { return false }
                ids.formUnion(report.chunks.map(\.id))
            }
            var counts: [UInt64] = []
            for index in 0..<3 {
                guard let status = try? await cluster.client(index).status(),
                      let me = status.peers.first(where: \.isSelf) else { return false }
                counts.append(me.chunkCount)
            }
            lastReport = "distinct chunks \(ids.count), stores hold \(counts)"
            return counts.allSatisfy { $0 == UInt64(ids.count) }
        }
        #expect(agreed, "\(lastReport)")
        #expect(ids.count >= count * 4)
        #expect(!cluster.log(2).contains("failed verification"), "the restarted store found a corrupt chunk")
    }
}
