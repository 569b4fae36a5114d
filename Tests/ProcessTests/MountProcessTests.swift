import APIClient
import APIModel
import Foundation
import Testing
import TestSupport

/// Files on demand with real processes (issue 18, docs/mount.md): `p2p mount` shows a
/// stored tree as it was stored, reads only what is read, survives a replica's death while
/// streaming, and fails fast (and cleans up) when its own peer dies.
@Suite(.serialized) struct MountProcessTests {
    /// The tree of the issue: 2,000 files nested three deep, empty directories, symlinks, a
    /// 256 MiB file, assorted modes, stored with `put -r`; `get -r` through another peer
    /// writes the same tree, and a mount through a fourth shows it byte for byte.
    @Test func aStoredTreeReadsTheSameThroughGetAndThroughAMount() async throws {
        if let missing = TestMount.fuseMissing { Issue.record(Comment(rawValue: missing)); return }
        // N = 2 of 4 peers: the mounting peer holds about half the chunks and fetches the rest.
        let cluster = try ProcessCluster(peers: 4, replicas: 2, writeQuorum: 2)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(4))
        let tree = cluster.root + "/tree"
        let files = FileManager.default
        var generator = SplitMix64(seed: 18)
        for index in 0..<2_000 {
            let directory = tree + "/d\(index % 10)/e\(index % 7)/f\(index % 3)"
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/file-\(index)"
            let size = index % 50 == 0 ? 70_000 + index : index % 900
            try Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
            chmod(path, [0o644, 0o600, 0o755, 0o444][index % 4])
        }
        for index in 0..<5 { try files.createDirectory(atPath: tree + "/empty-\(index)", withIntermediateDirectories: true) }
        for index in 0..<20 { #expect(symlink("d\(index % 10)/e0/f0/file-\(index)", tree + "/link-\(index)") == 0) }
        let big = tree + "/big"
        try writeRandomFile(big, size: 256 << 20, unique: true)

        let put = try cluster.p2p(0, ["put", "-r", tree])
        #expect(put.status == 0 && put.stderr.contains("stored 2001 files"), "\(put.stderr)")
        let cap = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // get -r through another peer: the same tree.
        let out = cluster.root + "/out"
        let get = try cluster.p2p(1, ["get", "-r", cap, "-o", out])
        #expect(get.status == 0, "\(get.stderr)")
        let copied = try treeDescription(out)
        #expect(copied == (try treeDescription(tree)))
        let expectedCount = 2_000 + 1 + 20 + 5 + 10 + 70 + 210  // files, big, links, empty, d, e, f
        #expect(copied.count == expectedCount, "every file, link and directory")
        let sums = "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum"
        #expect(try shell("cd '\(out)' && \(sums)").stdout == (try shell("cd '\(tree)' && \(sums)").stdout))

        // The mount, through the fourth peer.
        let mount = try TestMount(cluster: cluster, peer: 3, capability: cap, at: cluster.root + "/mnt")
        defer { mount.cleanUp() }
        #expect(await mount.waitUntilMounted(), "\(Daemon.log(mount.log))")
        let client = try cluster.client(3)

        // 1,000 random 4 KiB reads of the 256 MiB file: every one equals the original, and
        // only what they touch is fetched.
        let original = try FileHandle(forReadingFrom: URL(fileURLWithPath: big))
        let mounted = try FileHandle(forReadingFrom: URL(fileURLWithPath: mount.path + "/big"))
        let before = mount.statistics
        var mismatches = 0
        for _ in 0..<1_000 {
            let offset = UInt64.random(in: 0..<(256 << 20) - 4096, using: &generator)
            try original.seek(toOffset: offset)
            try mounted.seek(toOffset: offset)
            if try mounted.read(upToCount: 4096) != (try original.read(upToCount: 4096)) { mismatches += 1 }
        }
        try mounted.close()
        #expect(mismatches == 0)
        let random = mount.statistics
        let randomCache = try await client.cacheStatus()
        #expect(random.bytes - before.bytes <= 1_000 * 64 << 10, "random reads fetch what they touch: \(random.bytes - before.bytes) bytes")
        #expect(random.requests - before.requests <= 1_000 + 10)

        // A replica SIGKILLed while sha256sum streams the file through the mount: the sum is right.
        let expected = try shell("sha256sum < '\(big)'").stdout
        let streaming = Process()
        streaming.executableURL = URL(fileURLWithPath: "/bin/sh")
        streaming.arguments = ["-c", "sha256sum < '\(mount.path)/big' > '\(cluster.root)/streamed.sum'"]
        try streaming.run()
        #expect(await Daemon.eventually(timeout: .seconds(120)) { mount.statistics.bytes - random.bytes >= 64 << 20 || !streaming.isRunning })
        #expect(streaming.isRunning, "the stream was still going when the replica died")
        cluster.kill(1)
        #expect(await Daemon.eventually(timeout: .seconds(180)) { !streaming.isRunning })
        streaming.waitUntilExit()
        #expect(streaming.terminationStatus == 0)
        #expect(try String(contentsOfFile: cluster.root + "/streamed.sum", encoding: .utf8) == expected)

        // What the whole file needed from other peers, against what the random reads did.
        let full = try await client.cacheStatus()
        #expect(randomCache.chunks < full.chunks * 4 / 5, "random reads fetched \(randomCache.chunks) of \(full.chunks) chunks")
        #expect(randomCache.fetches > 0, "the mounting peer fetched chunks it does not hold")

        // The rest of the tree: find, ls -lR, every file's sum and tar, as on the original.
        let find = "find . | LC_ALL=C sort"
        #expect(try shell("cd '\(mount.path)' && \(find)").stdout == (try shell("cd '\(tree)' && \(find)").stdout))
        #expect(try longListing(mount.path) == (try longListing(tree)))
        #expect(try shell("cd '\(mount.path)' && \(sums)").stdout == (try shell("cd '\(tree)' && \(sums)").stdout))
        let tar = "tar -c --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -f - -C"
        let tarred = try shell("\(tar) '\(mount.path)' . | sha256sum")
        let tarredOriginal = try shell("\(tar) '\(tree)' . | sha256sum")
        #expect(tarred.status == 0 && tarred.stdout == tarredOriginal.stdout, "\(tarred.stderr)")

        #expect(try await mount.unmount() == 0)
        #expect(!TestMount.isMounted(mount.path))
    }

    /// The daemon killed under an open mount: reads fail within 5 s and nothing hangs; a
    /// SIGTERM ends the mount cleanly; a mount process that dies leaves a stale mount that
    /// the next mount cleans; the chunk cache and its pins survive the restart.
    @Test func aDeadPeerFailsReadsFastAndTheNextMountWorks() async throws {
        if let missing = TestMount.fuseMissing { Issue.record(Comment(rawValue: missing)); return }
        let cluster = try ProcessCluster(peers: 1, replicas: 1, writeQuorum: 1)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(1))
        let tree = cluster.root + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        try Data("first\n".utf8).write(to: URL(fileURLWithPath: tree + "/first.txt"))
        try writeRandomFile(tree + "/sub/second.bin", size: 3 << 20, unique: true)
        let cap = try cluster.p2p(0, ["put", "-r", "--quiet", tree]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let first = try TestMount(cluster: cluster, peer: 0, capability: cap, at: cluster.root + "/mnt")
        defer { first.cleanUp() }
        #expect(await first.waitUntilMounted(), "\(Daemon.log(first.log))")
        #expect(try String(contentsOfFile: first.path + "/first.txt", encoding: .utf8) == "first\n")

        // Pin a file through its path in the mount: its chunks stay through `cache clear`.
        let pin = try cluster.p2p(0, ["pin", first.path + "/sub/second.bin"])
        #expect(pin.status == 0 && pin.stdout.contains("pinned"), "\(pin.stderr)")
        _ = try cluster.p2p(0, ["cache", "clear"])
        let pinned = try await cluster.client(0).cacheStatus()
        #expect(pinned.pinnedFiles.count == 1 && pinned.pinnedChunks > 0 && pinned.usedBytes >= 3 << 20)

        cluster.kill(0)
        let started = ContinuousClock.now
        let failed = try shell("cat '\(first.path)/sub/second.bin' > /dev/null")
        #expect(failed.status != 0 && failed.stderr.contains("Input/output error"), "\(failed.stderr)")
        #expect(ContinuousClock.now - started < .seconds(5), "reads fail promptly")
        #expect(try shell("ls '\(first.path)' > /dev/null; true").status == 0, "nothing hangs")
        first.process.terminate()  // SIGTERM: unmounts and exits
        #expect(await Daemon.eventually(timeout: .seconds(10)) { !first.process.isRunning })
        #expect(!TestMount.isMounted(first.path))

        // A mount process killed outright leaves a stale mount; the next mount cleans it.
        try cluster.start(0)
        #expect(await cluster.waitUntilAlive(1))
        let crashed = try TestMount(cluster: cluster, peer: 0, capability: cap, at: first.path)
        defer { crashed.cleanUp() }
        #expect(await crashed.waitUntilMounted())
        kill(crashed.process.processIdentifier, SIGKILL)
        crashed.process.waitUntilExit()
        #expect(TestMount.isMounted(first.path), "stale")
        let background = try cluster.p2p(0, ["mount", "--background", cap, first.path])
        #expect(background.status == 0 && background.stderr.contains("stale"), "\(background.stderr)")
        #expect(try String(contentsOfFile: first.path + "/first.txt", encoding: .utf8) == "first\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.path + "/sub/second.bin")) == Data(contentsOf: URL(fileURLWithPath: tree + "/sub/second.bin")))
        let pid = try #require(background.stdout.split(separator: "(process ").last?.split(separator: ")").first.flatMap { Int32($0) })
        #expect(try cluster.p2p(0, ["umount", first.path]).status == 0)
        #expect(await Daemon.eventually(timeout: .seconds(10)) { kill(pid, 0) != 0 }, "the background mount process exits")

        // The cache and its pin survived the restart; unpinned, `cache clear` empties it.
        let restarted = try await cluster.client(0).cacheStatus()
        #expect(restarted.pinnedFiles == pinned.pinnedFiles && restarted.chunks >= pinned.pinnedChunks)
        #expect(try cluster.p2p(0, ["pin", "--remove", pinned.pinnedFiles[0]]).status == 0)
        _ = try cluster.p2p(0, ["cache", "clear"])
        #expect(try await cluster.client(0).cacheStatus().chunks == 0)
    }

    /// A folder followed on demand on device B, mounted: a file added on device A appears
    /// within 2 s and reads byte for byte; B's directory stays empty, and B fetched only
    /// what it read.
    @Test func aFolderMountFollowsTheOtherDevicesWithoutACopy() async throws {
        if let missing = TestMount.fuseMissing { Issue.record(Comment(rawValue: missing)); return }
        // N = 1 of 3: B holds none of A's chunks unless placement gives it some.
        let cluster = try ProcessCluster(peers: 3, replicas: 2, writeQuorum: 1, environment: ["P2P_SYNC_POLL": "2s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let a = cluster.root + "/a", b = cluster.root + "/b"
        for directory in [a, b] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try writeRandomFile(a + "/unread.bin", size: 8 << 20, unique: true)
        let added = try cluster.p2p(0, ["sync", "add", a])
        #expect(added.status == 0, "\(added.stderr)")
        let token = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let follow = try cluster.p2p(1, ["sync", "add", "--on-demand", "--token", token, b])
        #expect(follow.status == 0 && follow.stderr.contains("on demand"), "\(follow.stderr)")
        let refused = try cluster.p2p(1, ["sync", "add", "--on-demand", cluster.root])
        #expect(refused.status == 2 && refused.stderr.contains("--token"), "\(refused.stderr)")

        let mount = try TestMount(cluster: cluster, peer: 1, capability: b, at: cluster.root + "/mnt", arguments: ["--folder"])
        defer { mount.cleanUp() }
        #expect(await mount.waitUntilMounted(), "\(Daemon.log(mount.log))")
        #expect(await Daemon.eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: mount.path + "/unread.bin") })

        // A new file on A: in B's mount within 2 s, byte for byte.
        let cacheBefore = try await cluster.client(1).cacheStatus()
        try FileManager.default.createDirectory(atPath: a + "/new", withIntermediateDirectories: true)
        try writeRandomFile(a + "/new/file.bin", size: 3 << 20, unique: true)
        let written = ContinuousClock.now
        #expect(await Daemon.eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: mount.path + "/new/file.bin") })
        let appeared = ContinuousClock.now - written
        #expect(appeared < .seconds(2), "appeared after \(appeared)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: mount.path + "/new/file.bin")) == Data(contentsOf: URL(fileURLWithPath: a + "/new/file.bin")))

        // An edit and a deletion on A follow too.
        try Data("edited\n".utf8).write(to: URL(fileURLWithPath: a + "/new/file.bin"))
        #expect(await Daemon.eventually(timeout: .seconds(10)) {
            (try? String(contentsOfFile: mount.path + "/new/file.bin", encoding: .utf8)) == "edited\n"
        })
        try FileManager.default.removeItem(atPath: a + "/unread.bin")
        #expect(await Daemon.eventually(timeout: .seconds(10)) { !FileManager.default.fileExists(atPath: mount.path + "/unread.bin") })

        // B holds no copy: its directory is empty, and it fetched less than one 8 MiB file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: b).isEmpty)
        let cacheAfter = try await cluster.client(1).cacheStatus()
        #expect(cacheAfter.usedBytes - cacheBefore.usedBytes < 8 << 20, "B cached \(cacheAfter.usedBytes - cacheBefore.usedBytes) bytes")
        #expect(try await mount.unmount() == 0)
    }

    @Test func badInputIsRefusedWithExitTwo() async throws {
        if let missing = TestMount.fuseMissing { Issue.record(Comment(rawValue: missing)); return }
        let cluster = try ProcessCluster(peers: 1, replicas: 1, writeQuorum: 1)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(1))
        let tree = cluster.root + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: tree + "/x"))
        let cap = try cluster.p2p(0, ["put", "-r", "--quiet", tree]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let fileCap = try cluster.p2p(0, ["put", "--quiet", tree + "/x"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let point = cluster.root + "/mnt"
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)

        let malformed = try cluster.p2p(0, ["mount", String(cap.dropLast(3)), point])
        #expect(malformed.status == 2 && !malformed.stderr.isEmpty, "\(malformed.stderr)")
        let missing = try cluster.p2p(0, ["mount", cap, cluster.root + "/nowhere"])
        #expect(missing.status == 2 && missing.stderr.contains("No such file"), "\(missing.stderr)")
        let file = try cluster.p2p(0, ["mount", fileCap, point])
        #expect(file.status == 2 && file.stderr.contains("is a file"), "\(file.stderr)")
        let notMounted = try cluster.p2p(0, ["umount", point])
        #expect(notMounted.status == 2 && notMounted.stderr.contains("not a p2p mount"), "\(notMounted.stderr)")
        let badPin = try cluster.p2p(0, ["pin", tree + "/x"])
        #expect(badPin.status == 2 && badPin.stderr.contains("not a file or directory under a `p2p mount`"), "\(badPin.stderr)")

        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: point + "/mine"))
        let nonEmpty = try cluster.p2p(0, ["mount", cap, point])
        #expect(nonEmpty.status == 2 && nonEmpty.stderr.contains("not empty"), "\(nonEmpty.stderr)")
        let allowed = try TestMount(cluster: cluster, peer: 0, capability: cap, at: point, arguments: ["--allow-nonempty"])
        defer { allowed.cleanUp() }
        #expect(await allowed.waitUntilMounted(), "\(Daemon.log(allowed.log))")
        #expect(try String(contentsOfFile: point + "/x", encoding: .utf8) == "x\n")
        // Read-only: nothing is written through it.
        #expect(FileManager.default.createFile(atPath: point + "/new", contents: Data("n".utf8)) == false)
        #expect(try await allowed.unmount() == 0)
        #expect(try String(contentsOfFile: point + "/mine", encoding: .utf8) == "mine\n", "the hidden entries are back")
    }

    /// `ls -lR` without what differs by nature between a disk and a mount: `total` block
    /// counts, link counts, directory sizes. Types, modes, owners, sizes, times to the
    /// second, names and link targets remain.
    private func longListing(_ root: String) throws -> [String] {
        let listing = try shell("cd '\(root)' && LC_ALL=C ls -lR --time-style=+%s .")
        guard listing.status == 0 else { throw ClusterError(message: "ls -lR: \(listing.stderr)") }
        return listing.stdout.split(separator: "\n").compactMap { line -> String? in
            if line.hasPrefix("total ") { return nil }
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
            guard fields.count == 7 else { return String(line) }
            let kept = fields[0].hasPrefix("d") ? [fields[0], fields[2], fields[3], fields[5], fields[6]] : [fields[0], fields[2], fields[3], fields[4], fields[5], fields[6]]
            return kept.joined(separator: " ")
        }
    }
}
