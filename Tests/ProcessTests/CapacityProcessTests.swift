import APIClient
import APIModel
import Foundation
import Testing

/// Peers that run out of room, with real processes: a full peer refuses chunks with a typed
/// error and the coordinator places its copies on a stand-in; when too few peers have room
/// the put fails with exit 1 and a message, prints no capability, and everything stored
/// before still reads back.
@Suite(.serialized) struct CapacityProcessTests {
    @Test func aFullPeerIsBypassedAndAFullNetworkFailsCleanly() async throws {
        // Peer 1 offers 6 MiB, the others 40 MiB each; N = 3 of 4 peers, W = 2. Peer 1 is
        // alone in its zone, so placement puts a replica of every chunk on it.
        let cluster = try ProcessCluster(peers: 4, capacities: ["40M", "6M", "40M", "40M"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(4))

        var kept: [(path: String, cap: String)] = []
        for (index, size) in [4 << 20, 12 << 20].enumerated() {
            let path = cluster.root + "/kept-\(index)"
            try writeRandomFile(path, size: size, unique: true)
            let put = try cluster.p2p(index, ["put", "--quiet", path])
            #expect(put.status == 0, "put \(index) with one peer full: \(put.stderr)")
            kept.append((path, put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        // The small peer filled up and said so; every chunk still has three holders,
        // the full peer's copies on a stand-in.
        let full = try cluster.nodeID(1)
        let refused = await Daemon.eventually(timeout: .seconds(30)) {
            (0..<2).contains { cluster.log($0).contains("a replica is full; placing its copy on a stand-in") }
        }
        #expect(refused)
        let small = try #require(try await cluster.client(1).status().peers.first(where: \.isSelf))
        #expect(small.usedBytes <= 6 << 20, "the full peer holds \(small.usedBytes) bytes")
        struct Report: Decodable { struct Chunk: Decodable { var id: String; var holders: [String] }; var chunks: [Chunk] }
        var lastAnswer = ""
        let placed = await Daemon.eventually(timeout: .seconds(30)) {
            guard let located = try? cluster.p2p(0, ["locate", "--json", kept[1].cap]), located.status == 0,
                  let report = try? JSONDecoder().decode(Report.self, from: Data(located.stdout.utf8)) else { return false }
            lastAnswer = located.stdout
            return report.chunks.allSatisfy { $0.holders.count == 3 } && report.chunks.contains { !$0.holders.contains(full) }
        }
        #expect(placed, "locate: \(lastAnswer.prefix(400))")

        // 64 MiB more cannot fit three times in what is left: the put fails cleanly.
        let big = cluster.root + "/big"
        try writeRandomFile(big, size: 64 << 20, unique: true)
        let refusedPut = try cluster.p2p(0, ["put", "--quiet", big])
        #expect(refusedPut.status == 1, "a put into a full network: \(refusedPut.stderr)")
        #expect(refusedPut.stdout.isEmpty, "no capability for a file that was not stored: \(refusedPut.stdout)")
        #expect(refusedPut.stderr.contains("not enough space"), "\(refusedPut.stderr)")
        let owned = try JSONDecoder().decode(OwnedFiles.self, from: Data(try cluster.p2p(0, ["ls", "--json"]).stdout.utf8))
        #expect(owned.files.map(\.cap) == [kept[0].cap], "only what was stored is listed")

        // Nothing stored before was lost, through any peer.
        for (offset, file) in kept.enumerated() {
            for index in 0..<4 {
                let out = cluster.root + "/out-\(offset)-\(index)"
                let get = try cluster.p2p(index, ["get", "--quiet", file.cap, "-o", out])
                #expect(get.status == 0, "get through peer \(index): \(get.stderr)")
                #expect(FileManager.default.contentsEqual(atPath: file.path, andPath: out))
            }
        }
        for index in 0..<4 {
            let me = try #require(try await cluster.client(index).status().peers.first(where: \.isSelf))
            #expect(me.usedBytes <= me.capacityBytes, "peer \(index) holds \(me.usedBytes) of \(me.capacityBytes)")
        }
    }
}
