import APIClient
import APIModel
import Foundation
import Testing

/// Deleting data with real processes (docs/gc.md): `p2p rm` drops an owner's references,
/// sweeps give the space back on every replica after the grace, and a chunk another owner
/// still references is never collected. Grace and sweep pause are shortened by
/// `p2pd init --gc-grace --gc-interval`.
@Suite(.serialized) struct CollectionProcessTests {
    static let grace = 3.0
    static let sweepInterval = 1.0
    static let gcInit = ["--gc-interval", "1s"]
    static let networkInit = ["--gc-grace", "3s"]

    @Test func spaceReturnsOnEveryReplicaAfterRemovalAndTheGrace() async throws {
        let cluster = try ProcessCluster(peers: 3, extraInit: Self.networkInit, peerInit: Self.gcInit)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))

        // A file that stays, so that the level before is not zero and must survive.
        let kept = cluster.root + "/kept", removed = cluster.root + "/removed"
        try writeRandomFile(kept, size: 16 << 20, unique: true)
        let keptCap = try putFile(cluster, 0, kept)
        #expect(await everyPeerSettles(cluster, atLeast: 16 << 20))
        let before = try await usedBytes(cluster)
        let diskBefore = await onDiskAfterASweep(cluster)

        try writeRandomFile(removed, size: 64 << 20, unique: true)
        let cap = try putFile(cluster, 0, removed)
        #expect(await everyPeerSettles(cluster, atLeast: (16 + 64) << 20))
        let listed = try cluster.p2p(0, ["ls", "--json"])
        let owned = try JSONDecoder().decode(OwnedFiles.self, from: Data(listed.stdout.utf8))
        #expect(Set(owned.files.map(\.cap)) == [keptCap, cap])
        #expect(owned.files.first { $0.cap == cap }?.size == 64 << 20)

        // Bad input first: a malformed capability exits 2, and one this peer did not
        // store exits 1; neither touches anything.
        let malformed = try cluster.p2p(0, ["rm", "p2p1:nonsense"])
        #expect(malformed.status == 2, "\(malformed.stderr)")
        let foreign = try cluster.p2p(1, ["rm", cap])
        #expect(foreign.status == 1 && foreign.stderr.contains("did not store"), "\(foreign.stderr)")

        let removal = try cluster.p2p(0, ["rm", cap])
        #expect(removal.status == 0, "\(removal.stderr)")
        let removedAt = Date()
        // Nothing goes before the grace: sampled at once (the check counts only if it ran
        // well within the grace on this machine).
        let early = try await usedBytes(cluster)
        if Date().timeIntervalSince(removedAt) < Self.grace - 1 {
            #expect(early.allSatisfy { $0 >= (16 + 64) << 20 }, "collected within the grace: \(early)")
        }
        #expect(try cluster.p2p(0, ["rm", cap]).status == 1)
        #expect(!(try cluster.p2p(0, ["ls"]).stdout.contains(cap)))

        // Within the grace and two sweeps (and slack for a loaded machine), every replica
        // is back within 5% of its level before the put.
        var levels: [UInt64] = []
        let reclaimed = await Daemon.eventually(timeout: .seconds(60)) {
            guard let now = try? await usedBytes(cluster) else { return false }
            levels = now
            return zip(now, before).allSatisfy { Double($0) <= Double($1) * 1.05 }
        }
        #expect(reclaimed, "used bytes \(levels), before the put \(before)")
        // And on disk: compaction copied what stays out of the mostly dead segments and
        // unlinked them.
        var disk: [UInt64] = []
        let compacted = await Daemon.eventually(timeout: .seconds(60)) {
            disk = await onDiskAfterASweep(cluster)
            return zip(disk, diskBefore).allSatisfy { Double($0) <= Double($1) * 1.05 }
        }
        #expect(compacted, "segment bytes \(disk), before the put \(diskBefore)")
        print("gc: used \(before) before the put, \(levels) after rm; on disk \(diskBefore) before, \(disk) after; back in \(Date().timeIntervalSince(removedAt)) s")
        for index in 0..<3 {
            let gc = try #require(try await cluster.client(index).status().gc)
            #expect(gc.reclaimedBytes >= 60 << 20, "peer \(index) reclaimed \(gc.reclaimedBytes) bytes")
            #expect(gc.graceSeconds == 3 && gc.sweepIntervalSeconds == 1)
        }

        // What stayed still reads back byte-exact from every peer.
        for index in 0..<3 {
            let out = cluster.root + "/out-\(index)"
            #expect(try cluster.p2p(index, ["get", "--quiet", keptCap, "-o", out]).status == 0)
            #expect(FileManager.default.contentsEqual(atPath: kept, andPath: out))
        }
        // /metrics shows it as well.
        let metrics = String(decoding: try await cluster.client(0).request(.GET, "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("p2p_gc_reclaimed_bytes_total"))
    }

    @Test func contentAnotherOwnerStoredSurvivesTheFirstOwnersRemoval() async throws {
        let cluster = try ProcessCluster(peers: 3, extraInit: Self.networkInit, peerInit: Self.gcInit)
        defer { cluster.shutdown() }
        // Peers 0 and 1 are one user's two machines: one convergence secret, so the same
        // file gives the same chunks (convergent deduplication), under two owners.
        cluster.kill(1)
        let secret = "/convergence.secret"
        try FileManager.default.removeItem(atPath: cluster.homes[1] + secret)
        try FileManager.default.copyItem(atPath: cluster.homes[0] + secret, toPath: cluster.homes[1] + secret)
        try cluster.start(1)
        #expect(await cluster.waitUntilAlive(3))

        let path = cluster.root + "/shared"
        try writeRandomFile(path, size: 8 << 20, unique: true)
        let first = try putFile(cluster, 0, path)
        let second = try putFile(cluster, 1, path)
        #expect(first == second, "the same secret and content give the same capability")
        #expect(await everyPeerSettles(cluster, atLeast: 8 << 20))
        let before = try await usedBytes(cluster)

        #expect(try cluster.p2p(0, ["rm", first]).status == 0)
        let removedAt = Date().timeIntervalSince1970
        // Wait for two sweeps on every peer that began after the grace had passed.
        let swept = await Daemon.eventually(timeout: .seconds(60)) {
            for index in 0..<3 {
                guard let gc = try? await cluster.client(index).status().gc, let last = gc.lastSweepEnded,
                      last > removedAt + Self.grace + 2 * Self.sweepInterval else { return false }
            }
            return true
        }
        #expect(swept)
        #expect(try await usedBytes(cluster) == before, "nothing of the shared file was collected")
        for index in 0..<3 {
            let out = cluster.root + "/out-\(index)"
            #expect(try cluster.p2p(index, ["get", "--quiet", first, "-o", out]).status == 0)
            #expect(FileManager.default.contentsEqual(atPath: path, andPath: out))
        }
        #expect(try cluster.p2p(1, ["ls"]).stdout.contains(second))

        // Once the second owner removes it too, it goes.
        #expect(try cluster.p2p(1, ["rm", second]).status == 0)
        var levels: [UInt64] = []
        let gone = await Daemon.eventually(timeout: .seconds(60)) {
            guard let now = try? await usedBytes(cluster) else { return false }
            levels = now
            return now.allSatisfy { $0 < 1 << 20 }
        }
        #expect(gone, "used bytes \(levels)")
    }

    @Test func aReplicaThatWasDownAtRemovalGetsTheReleaseWhenItIsBack() async throws {
        let cluster = try ProcessCluster(peers: 3, extraInit: Self.networkInit, peerInit: Self.gcInit)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let path = cluster.root + "/file"
        try writeRandomFile(path, size: 8 << 20, unique: true)
        let cap = try putFile(cluster, 0, path)
        #expect(await everyPeerSettles(cluster, atLeast: 8 << 20))

        cluster.kill(2)
        let removal = try cluster.p2p(0, ["rm", cap])
        #expect(removal.status == 0 && removal.stdout.contains("unreachable"), "\(removal.stdout) \(removal.stderr)")
        try cluster.start(2)
        #expect(await cluster.waitUntilAlive(3))
        var levels: [UInt64] = []
        let reclaimed = await Daemon.eventually(timeout: .seconds(60)) {
            guard let now = try? await usedBytes(cluster) else { return false }
            levels = now
            return now.allSatisfy { $0 < 1 << 20 }
        }
        #expect(reclaimed, "used bytes \(levels): the returning replica kept the removed file")
    }

    /// `p2p rm` of a tree (docs/gc.md, "Trees"): the space of what only it used comes back;
    /// a second tree sharing a file and a whole subdirectory with it reads back whole after
    /// the sweeps; a directory inside a tree, and a file of one, are refused (exit 1).
    @Test func aRemovedTreeGivesBackWhatNoOtherTreeUses() async throws {
        let cluster = try ProcessCluster(peers: 3, extraInit: Self.networkInit, peerInit: Self.gcInit)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let (a, b) = (cluster.root + "/tree-a", cluster.root + "/tree-b")
        try FileManager.default.createDirectory(atPath: a + "/shared", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: b, withIntermediateDirectories: true)
        try writeRandomFile(a + "/shared/big", size: 16 << 20, unique: true)
        try Data("small\n".utf8).write(to: URL(fileURLWithPath: a + "/shared/small"))
        try Data("in both\n".utf8).write(to: URL(fileURLWithPath: a + "/common.txt"))
        try writeRandomFile(a + "/only-a", size: 24 << 20, unique: true)
        // The same subdirectory (modes and times kept: the same listing) and file in B.
        #expect(try Daemon.run(["-a", a + "/shared", a + "/common.txt", b + "/"], binary: "/bin/cp").status == 0)
        try writeRandomFile(b + "/only-b", size: 8 << 20, unique: true)
        func putTree(_ path: String) throws -> String {
            let put = try cluster.p2p(0, ["put", "-r", path])
            guard put.status == 0 else { throw ClusterError(message: "put -r failed: \(put.stderr)") }
            return put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (capA, capB) = (try putTree(a), try putTree(b))
        #expect(await everyPeerSettles(cluster, atLeast: (16 + 24 + 8) << 20))
        let before = try await usedBytes(cluster)

        // Refused, and nothing removed: a directory inside the trees, a file of a tree.
        let listing = try JSONDecoder().decode(DirectoryDocument.self, from: Data(try cluster.p2p(0, ["ls", capA, "--json"]).stdout.utf8))
        let sharedCap = try #require(listing.entries.first { $0.name == "shared" }?.cap)
        let onlyACap = try #require(listing.entries.first { $0.name == "only-a" }?.cap)
        let inside = try cluster.p2p(0, ["rm", sharedCap])
        #expect(inside.status == 1 && inside.stderr.contains("inside 2 trees"), "\(inside.stderr)")
        let member = try cluster.p2p(0, ["rm", onlyACap])
        #expect(member.status == 1 && member.stderr.contains("remove that tree"), "\(member.stderr)")

        let removal = try cluster.p2p(0, ["rm", capA])
        #expect(removal.status == 0 && removal.stdout.contains("removed the tree") && removal.stdout.contains("1 files and 1 directories"),
                "\(removal.stdout) \(removal.stderr)")
        let owned = try cluster.p2p(0, ["ls"]).stdout
        #expect(!owned.contains(capA) && owned.contains(capB))
        // only-a's 24 MiB come back on every replica; what B uses stays.
        var levels: [UInt64] = []
        let reclaimed = await Daemon.eventually(timeout: .seconds(60)) {
            guard let now = try? await usedBytes(cluster) else { return false }
            levels = now
            return zip(now, before).allSatisfy { $0 + (23 << 20) <= $1 }
        }
        #expect(reclaimed, "used bytes \(levels), before the removal \(before)")
        #expect(levels.allSatisfy { $0 >= (16 + 8) << 20 }, "what tree B uses went too: \(levels)")
        _ = await onDiskAfterASweep(cluster)
        let out = cluster.root + "/out-b"
        let get = try cluster.p2p(1, ["get", "-r", capB, "-o", out])
        #expect(get.status == 0, "\(get.stderr)")
        for path in ["shared/big", "shared/small", "common.txt", "only-b"] {
            #expect(FileManager.default.contentsEqual(atPath: b + "/" + path, andPath: out + "/" + path), "\(path) differs")
        }
    }

    /// Each peer's segment bytes on disk, as its first sweep that began after this call found them.
    private func onDiskAfterASweep(_ cluster: ProcessCluster) async -> [UInt64] {
        let asked = Date().timeIntervalSince1970 + Self.sweepInterval
        var disk: [UInt64] = []
        _ = await Daemon.eventually(timeout: .seconds(30)) {
            disk = []
            for index in 0..<3 {
                guard let gc = try? await cluster.client(index).status().gc, let ended = gc.lastSweepEnded, ended > asked else { return false }
                disk.append(gc.onDiskBytes)
            }
            return true
        }
        return disk
    }

    /// `p2p put --quiet` through peer `index`; the capability.
    private func putFile(_ cluster: ProcessCluster, _ index: Int, _ path: String) throws -> String {
        let put = try cluster.p2p(index, ["put", "--quiet", path])
        guard put.status == 0 else { throw ClusterError(message: "put failed: \(put.stderr)") }
        return put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Each peer's own count of the bytes its store holds, in peer order.
    private func usedBytes(_ cluster: ProcessCluster) async throws -> [UInt64] {
        var used: [UInt64] = []
        for index in 0..<3 {
            let status = try await cluster.client(index).status()
            used.append(status.peers.first(where: \.isSelf)?.usedBytes ?? 0)
        }
        return used
    }

    /// True once every peer holds at least `bytes` (N = 3 of 3 peers: every peer has every
    /// chunk) and the background copies have landed.
    private func everyPeerSettles(_ cluster: ProcessCluster, atLeast bytes: UInt64) async -> Bool {
        await Daemon.eventually(timeout: .seconds(60)) {
            guard let used = try? await usedBytes(cluster) else { return false }
            return used.allSatisfy { $0 >= bytes }
        }
    }
}
