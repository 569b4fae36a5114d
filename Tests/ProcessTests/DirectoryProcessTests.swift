import APIClient
import APIModel
import Foundation
import Testing

/// Directories with real processes (issue 18, docs/api.md): `p2p put -r` stores a tree,
/// `p2p ls CAP [PATH]` lists it without fetching contents, `p2p get -r` writes it back whole,
/// through any peer; permission bits beyond 0o777 never travel, symlinks are text, and a
/// directory document that names anything but one path component is refused.
@Suite(.serialized) struct DirectoryProcessTests {
    @Test func aTreeGoesUpAndComesBackWholeThroughAnyPeer() async throws {
        let cluster = try ProcessCluster(peers: 3)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))

        let tree = cluster.root + "/tree"
        let files = FileManager.default
        try files.createDirectory(atPath: tree + "/sub/deeper", withIntermediateDirectories: true)
        try files.createDirectory(atPath: tree + "/empty-dir", withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: tree + "/a.txt"))
        try Data().write(to: URL(fileURLWithPath: tree + "/empty"))
        try writeRandomFile(tree + "/sub/big", size: 3 << 20, unique: true)
        try Data("deep\n".utf8).write(to: URL(fileURLWithPath: tree + "/sub/deeper/ünïcødé name"))
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: tree + "/run.sh"))
        chmod(tree + "/run.sh", 0o4755)  // setuid: must come back without it
        #expect(symlink("../../outside", tree + "/sub/escape") == 0)  // text, never followed
        #expect(symlink("sub/big", tree + "/link") == 0)
        let old = timespec(tv_sec: 1_600_000_000, tv_nsec: 123_456_789)
        var times = [old, old]
        utimensat(AT_FDCWD, tree + "/a.txt", &times, 0)

        let put = try cluster.p2p(0, ["put", "-r", tree])
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stderr.contains("stored 5 files (0 unchanged since the last put -r) in 4 directories"), "\(put.stderr)")
        let cap = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(cap.hasPrefix("p2p1:"))

        // ls through another peer, no contents fetched; then a subdirectory, long and JSON.
        let ls = try cluster.p2p(1, ["ls", cap])
        #expect(ls.status == 0, "\(ls.stderr)")
        #expect(ls.stdout.split(separator: "\n") == ["a.txt", "empty", "empty-dir/", "link", "run.sh", "sub/"])
        let long = try cluster.p2p(1, ["ls", cap, "sub", "-l"])
        #expect(long.status == 0, "\(long.stderr)")
        #expect(long.stdout.contains("escape -> ../../outside") && long.stdout.contains(" 3M ") && long.stdout.contains("deeper"), "\(long.stdout)")
        let json = try cluster.p2p(1, ["ls", cap, "sub/deeper", "--json"])
        let deeper = try JSONDecoder().decode(DirectoryDocument.self, from: Data(json.stdout.utf8))
        #expect(deeper.entries.map(\.name) == ["ünïcødé name"] && deeper.entries[0].size == 5)
        let missing = try cluster.p2p(1, ["ls", cap, "sub/nothing"])
        #expect(missing.status == 1 && missing.stderr.contains("no \"nothing\""), "\(missing.stderr)")

        // get -r through a third peer: the same tree, byte for byte, modes masked, links as text.
        let out = cluster.root + "/out"
        let get = try cluster.p2p(2, ["get", "-r", cap, "-o", out])
        #expect(get.status == 0, "\(get.stderr)")
        for path in ["a.txt", "empty", "sub/big", "sub/deeper/ünïcødé name", "run.sh"] {
            #expect(files.contentsEqual(atPath: tree + "/" + path, andPath: out + "/" + path), "\(path) differs")
        }
        #expect(try files.destinationOfSymbolicLink(atPath: out + "/sub/escape") == "../../outside")
        #expect(try files.destinationOfSymbolicLink(atPath: out + "/link") == "sub/big")
        var info = stat()
        #expect(stat(out + "/run.sh", &info) == 0 && (info.st_mode & 0o7777) == 0o755 & ~currentUmask())
        #expect(lstat(out + "/empty-dir", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
        #expect(stat(out + "/a.txt", &info) == 0 && info.st_mtim.tv_sec == old.tv_sec && info.st_mtim.tv_nsec == old.tv_nsec)
        #expect(!files.fileExists(atPath: cluster.root + "/outside"))

        // Bad input: nothing is written or stored.
        let again = try cluster.p2p(2, ["get", "-r", cap, "-o", out])
        #expect(again.status == 2 && again.stderr.contains("exists"), "\(again.stderr)")
        let noOutput = try cluster.p2p(2, ["get", "-r", cap])
        #expect(noOutput.status == 2, "\(noOutput.stderr)")
        let notADirectory = try cluster.p2p(0, ["put", "-r", tree + "/a.txt"])
        #expect(notADirectory.status == 2, "\(notADirectory.stderr)")
        let plainPutOfADirectory = try cluster.p2p(0, ["put", tree])
        #expect(plainPutOfADirectory.status == 2 && plainPutOfADirectory.stderr.contains("put -r"), "\(plainPutOfADirectory.stderr)")
        let fileCap = try cluster.p2p(0, ["put", "--quiet", tree + "/a.txt"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lsOfAFile = try cluster.p2p(0, ["ls", fileCap])
        #expect(lsOfAFile.status == 1 && lsOfAFile.stderr.contains("is a file"), "\(lsOfAFile.stderr)")

        // Storing the same tree again through the same peer gives the same capability and no
        // new chunks (another peer has its own convergence secret: other chunks). N = 3 of
        // 3 peers: once every peer holds the same bytes, the first put's copies have landed.
        var used: [UInt64] = []
        #expect(await Daemon.eventually {
            used = (try? await usedBytes(cluster)) ?? []
            return used.count == 3 && Set(used).count == 1
        })
        // Without the cache every file is read and sent again: convergent chunks, stored once.
        try files.removeItem(atPath: cluster.homes[0] + "/put-r.cache")
        let second = try cluster.p2p(0, ["put", "-r", "--quiet", tree])
        #expect(second.status == 0 && second.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == cap, "\(second.stderr)")
        #expect(try await usedBytes(cluster) == used, "a tree stored twice stores its chunks once")
        // With it, nothing is read again.
        let third = try cluster.p2p(0, ["put", "-r", tree])
        #expect(third.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == cap && third.stderr.contains("(5 unchanged"), "\(third.stderr)")

        // Through the first peer again after one edit: only that file is read and sent.
        try Data("hello again\n".utf8).write(to: URL(fileURLWithPath: tree + "/a.txt"))
        let edited = try cluster.p2p(0, ["put", "-r", tree])
        #expect(edited.status == 0 && edited.stderr.contains("(4 unchanged since the last put -r)"), "\(edited.stderr)")
        let editedCap = edited.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(editedCap != cap)
        let editedOut = cluster.root + "/edited"
        #expect(try cluster.p2p(1, ["get", "-r", "--quiet", editedCap, "-o", editedOut]).status == 0)
        #expect(files.contentsEqual(atPath: tree + "/a.txt", andPath: editedOut + "/a.txt"))
        #expect(files.contentsEqual(atPath: tree + "/sub/big", andPath: editedOut + "/sub/big"))
        var cache = stat()
        #expect(stat(cluster.homes[0] + "/put-r.cache", &cache) == 0 && (cache.st_mode & 0o777) == 0o600, "the cache names capabilities: 0600")
        // A file of the trees cannot be removed alone (it would break them); once both trees
        // are removed, nothing is named from the cache: everything is stored again.
        let bigCap = try #require(try JSONDecoder().decode(DirectoryDocument.self, from: Data(cluster.p2p(0, ["ls", editedCap, "sub", "--json"]).stdout.utf8))
            .entries.first { $0.name == "big" }?.cap)
        let alone = try cluster.p2p(0, ["rm", bigCap])
        #expect(alone.status == 1 && alone.stderr.contains("remove that tree"), "\(alone.stderr)")
        #expect(try cluster.p2p(0, ["rm", editedCap]).status == 0)
        #expect(try cluster.p2p(0, ["ls"]).stdout.contains(bigCap), "still used by the first tree")
        #expect(try cluster.p2p(0, ["rm", cap]).status == 0)
        #expect(!(try cluster.p2p(0, ["ls"]).stdout.contains(bigCap)))
        let afterRemoval = try cluster.p2p(0, ["put", "-r", tree])
        #expect(afterRemoval.status == 0 && afterRemoval.stderr.contains("(0 unchanged"), "\(afterRemoval.stderr)")
        #expect(try cluster.p2p(0, ["ls"]).stdout.contains(bigCap), "stored, and owned, again")
    }

    @Test func aDirectoryDocumentThatNamesAnythingButOnePathComponentIsRefused() async throws {
        let cluster = try ProcessCluster(peers: 1)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(1))
        let client = try cluster.client(0)
        let path = cluster.root + "/f"
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        let fileCap = try cluster.p2p(0, ["put", "--quiet", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = { (name: String) in DirectoryDocument.Entry(name: name, type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: fileCap) }
        let hostile: [(DirectoryDocument, String)] = [
            (DirectoryDocument(entries: [file("..")]), "invalid"),
            (DirectoryDocument(entries: [file("a/b")]), "invalid"),
            (DirectoryDocument(entries: [file("")]), "invalid"),
            (DirectoryDocument(entries: [file("same"), file("same")]), "not a valid directory"),
            (DirectoryDocument(entries: [.init(name: "x", type: "device", mode: 0, mtimeNanoseconds: 0, size: 0)]), "type must be"),
            (DirectoryDocument(entries: [.init(name: "x", type: "file", mode: 0, mtimeNanoseconds: 0, size: 0, cap: "p2p1:nonsense")]), "valid cap"),
            (DirectoryDocument(entries: [.init(name: "x", type: "symlink", mode: 0, mtimeNanoseconds: 0, size: 0)]), "target"),
        ]
        for (document, reason) in hostile {
            let refused = await #expect(throws: APIClientError.self) { try await client.storeDirectory(document) }
            guard case .failed(400, let message) = refused else {
                Issue.record("expected a 400 for \(document.entries.map(\.name)), got \(String(describing: refused))")
                continue
            }
            #expect(message.contains(reason), "\(message)")
        }
        let garbage = await #expect(throws: APIClientError.self) { try await client.request(.POST, "/v1/dirs", body: Array("{".utf8)) }
        guard case .failed(400, _) = garbage else {
            Issue.record("expected a 400 for a body that is not JSON, got \(String(describing: garbage))")
            return
        }
        // Setuid, setgid and sticky are dropped when the directory is stored.
        let stored = try await client.storeDirectory(DirectoryDocument(entries: [
            .init(name: "x", type: "file", mode: 0o7755, mtimeNanoseconds: 0, size: 1, cap: fileCap),
        ]))
        #expect(try await client.directory(capability: stored.cap).entries.map(\.mode) == [0o755])
        #expect(try await client.ownedFiles().files.contains { $0.cap == stored.cap && $0.source == "put -r" })
    }

    private func usedBytes(_ cluster: ProcessCluster) async throws -> [UInt64] {
        var used: [UInt64] = []
        for index in cluster.homes.indices {
            used.append(try await cluster.client(index).status().peers.first(where: \.isSelf)?.usedBytes ?? 0)
        }
        return used
    }

    private func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
