import APIModel
import Foundation
import FolderSync
import TestSupport
import Testing

/// Folder sync between three devices, each a real `p2pd` of one network, driven through
/// `p2p sync` and plain file-system changes, compared path by path (bytes, modes, mtimes,
/// link targets).
@Suite(.serialized) struct SyncProcessTests {
    /// Three peers (N=3, W=2), each syncing its own folder with the others.
    final class Devices {
        let cluster: ProcessCluster
        let trees: [FolderTree]
        let token: String

        init(environment: [String: String] = [:]) async throws {
            let cluster = try ProcessCluster(peers: 3, environment: environment.merging(["P2P_SYNC_POLL": "2s"]) { mine, _ in mine })
            self.cluster = cluster
            trees = (0..<3).map { FolderTree(root: cluster.root + "/folder\($0)") }
            for tree in trees { try FileManager.default.createDirectory(atPath: tree.root, withIntermediateDirectories: true) }
            // `deinit` does not run for an init that throws: stop the peers here.
            do {
                token = try await Self.startSyncing(cluster, trees)
            } catch {
                cluster.shutdown()
                throw error
            }
        }

        /// Waits for the peers, adds device 0's folder and the others with its token.
        private static func startSyncing(_ cluster: ProcessCluster, _ trees: [FolderTree]) async throws -> String {
            guard await cluster.waitUntilAlive(3) else { throw ClusterError(message: "peers did not all become alive") }
            let created = try cluster.p2p(0, ["sync", "add", trees[0].root])
            guard created.status == 0 else { throw ClusterError(message: "sync add: \(created.stderr)") }
            let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            for index in 1..<3 {
                let joined = try cluster.p2p(index, ["sync", "add", trees[index].root, "--token", token])
                guard joined.status == 0 else { throw ClusterError(message: "sync add --token: \(joined.stderr)") }
            }
            return token
        }

        /// True once every running device's tree equals device 0's minus `excluded` paths.
        func converge(devices: [Int] = [1, 2], excluding excluded: Set<String> = [], timeout: Duration = .seconds(90)) async -> Bool {
            await Daemon.eventually(timeout: timeout) {
                guard var expected = try? trees[0].snapshot() else { return false }
                for path in excluded { expected[path] = nil }
                return devices.allSatisfy { (try? trees[$0].snapshot()) == expected }
            }
        }

        func differences(_ index: Int) -> String {
            let mine = (try? trees[index].snapshot()) ?? [:], reference = (try? trees[0].snapshot()) ?? [:]
            let keys = Set(mine.keys).union(reference.keys).filter { mine[$0] != reference[$0] }.sorted()
            return keys.prefix(10).map { "\($0): \(reference[$0] ?? "absent") vs \(mine[$0] ?? "absent")" }.joined(separator: "; ")
        }

        deinit { cluster.shutdown() }
    }

    @Test func createModifyDeleteRenameReachEveryDevice() async throws {
        let devices = try await Devices()
        let a = devices.trees[0]
        try a.write("docs/readme.md", "# hello")
        try a.write("docs/2026/report.txt", String(repeating: "report ", count: 50_000), mode: 0o600)
        try a.write("bin/tool.sh", "#!/bin/sh\n", mode: 0o755)
        try a.makeDirectory("empty/nested/deeper")
        try a.link("latest", to: "docs/2026/report.txt")
        try a.write(".p2pignore", "*.log\nbuild/\n")
        try a.write("debug.log", "ignored")
        try a.write("build/out.o", "ignored")
        let ignored: Set<String> = ["debug.log", "build", "build/out.o"]
        #expect(await devices.converge(excluding: ignored), "first sync: \(devices.differences(1)) | \(devices.differences(2))")
        #expect(devices.trees[1].read("debug.log") == nil && devices.trees[2].read("build/out.o") == nil)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: devices.trees[2].root + "/latest")
        #expect(link == "docs/2026/report.txt")

        try a.write("docs/readme.md", "# hello, edited")
        try a.remove("bin/tool.sh")
        try a.remove("empty/nested")
        try a.move("docs/2026", "archive")
        try a.write("archive/new/file.bin", bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        #expect(await devices.converge(excluding: ignored), "changes: \(devices.differences(1)) | \(devices.differences(2))")
        #expect(devices.trees[1].read("bin/tool.sh") == nil && devices.trees[1].read("archive/report.txt") != nil)

        let status = try devices.cluster.p2p(1, ["sync", "status", "--json"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"files\"") && status.stdout.contains(devices.trees[1].root))

        // Device C leaves the folder (its files stay) and joins again into an empty
        // directory: a device added later receives the whole folder.
        let removed = try devices.cluster.p2p(2, ["sync", "remove", devices.trees[2].root])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(devices.trees[2].read("docs/readme.md") == "# hello, edited")
        let late = FolderTree(root: devices.cluster.root + "/late")
        try FileManager.default.createDirectory(atPath: late.root, withIntermediateDirectories: true)
        let joined = try devices.cluster.p2p(2, ["sync", "add", late.root, "--token", devices.token])
        #expect(joined.status == 0, "\(joined.stderr)")
        var expected = try a.snapshot()
        for path in ignored { expected[path] = nil }
        let arrived = await Daemon.eventually(timeout: .seconds(90)) { (try? late.snapshot()) == expected }
        #expect(arrived, "late device: \(Set((try? late.snapshot())?.keys.map { $0 } ?? []).symmetricDifference(expected.keys).sorted().prefix(5))")
    }

    /// Deleted paths leave every device's index once all three have seen the deletion
    /// (docs/sync.md, "Tombstones"; the 10-minute wait shortened to 2 s), and a path
    /// created again afterwards reaches every device.
    @Test func tombstonesLeaveEveryIndexAndAPathCreatedAgainArrives() async throws {
        let devices = try await Devices(environment: ["P2P_SYNC_TOMBSTONE_DELAY": "2s"])
        for index in 0..<10 { try devices.trees[0].write("f\(index).txt", "file \(index)") }
        #expect(await devices.converge(), "first sync: \(devices.differences(1)) | \(devices.differences(2))")
        for index in 0..<5 { try devices.trees[1].remove("f\(index).txt") }
        let statuses = { () -> [FolderStatus] in
            (0..<3).compactMap { device in
                (try? devices.cluster.p2p(device, ["sync", "status", "--json"])).flatMap {
                    try? JSONDecoder().decode(FolderAPIDocuments.Listing.self, from: Data($0.stdout.utf8)).folders.first
                }
            }
        }
        var last: [FolderStatus] = []
        let dropped = await Daemon.eventually(timeout: .seconds(90)) {
            last = statuses()
            return last.count == 3 && last.allSatisfy { $0.tombstones == 0 && ($0.tombstonesDropped ?? 0) >= 5 && $0.files == 5 }
        }
        #expect(dropped, "\(last.map { ($0.tombstones ?? -1, $0.tombstonesDropped ?? -1, $0.files) })")
        #expect((0..<3).allSatisfy { device in devices.trees[device].read("f0.txt") == nil && devices.trees[device].read("f9.txt") == "file 9" })
        // The deleted file's version stays listed (and restorable) where the tombstone is gone.
        let versions = try devices.cluster.p2p(2, ["sync", "versions", devices.trees[2].root + "/f0.txt", "--json"])
        let kept = try? JSONDecoder().decode(FolderAPIDocuments.Versions.self, from: Data(versions.stdout.utf8)).versions
        #expect(versions.status == 0 && kept?.count == 1 && kept?.first?.deleted == true, "\(versions.stdout)")

        try devices.trees[2].write("f0.txt", "created again")
        let arrived = await Daemon.eventually(timeout: .seconds(60)) {
            (0..<2).allSatisfy { devices.trees[$0].read("f0.txt") == "created again" }
        }
        #expect(arrived, "a path created again after its tombstones were dropped did not reach every device")
    }

    @Test func concurrentEditsKeepBothAndAnOfflineDeviceCatchesUp() async throws {
        let devices = try await Devices()
        let a = devices.trees[0], b = devices.trees[1]
        try a.write("shared.txt", "first version")
        #expect(await devices.converge(), "first: \(devices.differences(1))")

        // B goes down; meanwhile A edits the shared file and changes 100 others, and B's
        // user edits the same file on B's disk: two concurrent versions.
        devices.cluster.kill(1)
        try a.write("shared.txt", "edited on A")
        for index in 0..<100 { try a.write("batch/file-\(index).txt", "content \(index) from A") }
        #expect(await devices.converge(devices: [2]), "C: \(devices.differences(2))")
        try b.write("shared.txt", "edited on B while offline")
        try devices.cluster.start(1)

        #expect(await devices.converge(timeout: .seconds(120)), "after B returned: \(devices.differences(1)) | \(devices.differences(2))")
        let snapshot = try a.snapshot()
        let copies = snapshot.keys.filter { ConflictName.isConflictCopy($0) }
        #expect(copies.count == 1, "conflict copies: \(copies)")
        let versions = Set((["shared.txt"] + copies).compactMap { a.read($0) })
        #expect(versions == ["edited on A", "edited on B while offline"])
        #expect(snapshot.keys.filter { $0.hasPrefix("batch/") }.count == 100)

        let status = try devices.cluster.p2p(0, ["sync", "status"])
        #expect(status.stdout.contains("conflicts  1"), "\(status.stdout)")
    }

    @Test func fiveThousandSmallFilesAndA256MiBFileArrive() async throws {
        let devices = try await Devices()
        let a = devices.trees[0]
        try a.write(".p2pignore", "many/d7/\n")
        for index in 0..<5_000 {
            try a.write("many/d\(index % 50)/f\(index).txt", "small file \(index)\n" + String(repeating: "x", count: index % 300))
        }
        try a.link("many/link", to: "d1/f1.txt")
        let big = a.root + "/big.bin"
        _ = FileManager.default.createFile(atPath: big, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        for _ in 0..<32 { try output.write(contentsOf: random.readData(ofLength: 8 << 20)) }
        try output.close()
        let ignored = Set((try a.snapshot()).keys.filter { $0.hasPrefix("many/d7") })
        #expect(ignored.count == 101)
        #expect(await devices.converge(excluding: ignored, timeout: .seconds(Double(ProcessInfo.processInfo.environment["P2P_BULK_TIMEOUT"] ?? "600") ?? 600)),
                "bulk: \(devices.differences(1)) | \(devices.differences(2))")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: devices.trees[1].root + "/many/link") == "d1/f1.txt")
        #expect(FileManager.default.contentsEqual(atPath: big, andPath: devices.trees[2].root + "/big.bin"))
        #expect(devices.trees[1].read("many/d7/f7.txt") == nil)
    }

    @Test func badInputIsRefused() async throws {
        let devices = try await Devices()
        let cluster = devices.cluster
        let other = cluster.root + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let badToken = try cluster.p2p(1, ["sync", "add", other, "--token", "p2pfolder1:not-a-token"])
        #expect(badToken.status == 2 && badToken.stderr.contains("invalid folder token"), "\(badToken)")
        let missing = try cluster.p2p(1, ["sync", "add", cluster.root + "/absent"])
        #expect(missing.status == 2 && missing.stderr.contains("no such directory"), "\(missing)")
        let overlapping = try cluster.p2p(0, ["sync", "add", devices.trees[0].root + "/inner"])
        #expect(overlapping.status == 2, "\(overlapping)")
        let unknown = try cluster.p2p(0, ["sync", "remove", other])
        #expect(unknown.status == 2, "\(unknown)")
        let unknownRescan = try cluster.p2p(0, ["sync", "rescan", other])
        #expect(unknownRescan.status == 2 && unknownRescan.stderr.contains("not a synced folder"), "\(unknownRescan)")
        let rescan = try cluster.p2p(0, ["sync", "rescan", devices.trees[0].root, "--json"])
        #expect(rescan.status == 0 && rescan.stdout.contains("\"seconds\""), "\(rescan)")
        let list = try cluster.p2p(0, ["sync", "list"])
        #expect(list.stdout.contains(devices.trees[0].root))
        let removed = try cluster.p2p(0, ["sync", "remove", devices.trees[0].root])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try cluster.p2p(0, ["sync", "list"]).stdout == "no synced folders (add one with `p2p sync add DIR`)\n")
    }
}
