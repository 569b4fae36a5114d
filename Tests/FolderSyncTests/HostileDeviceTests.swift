import FolderKeys
import Foundation
import Logging
import Testing
@testable import FolderSync
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

// A device that holds the folder token and lies: every entry it can craft must leave
// the other devices' folders, and everything outside them, as they were — refused with a
// logged reason, never a crash, and the rest of the folder still syncing.
extension FolderSessionTests {
    func hostile() throws -> HostileDevice { try HostileDevice(network: network, token: token) }

    func rounds(_ device: Device, _ count: Int = 3) async {
        for _ in 0..<count { await device.sync() }
    }

    /// Names in a directory outside every folder, which no entry may touch.
    func contents(_ directory: FolderTree) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.root)) ?? []).sorted()
    }

    @Test func noEntryInAnyOrderWritesOutsideTheFolder() async throws {
        let victim = try device("victim")
        let outside = FolderTree.temporary("outside")
        defer { outside.destroy() }
        try outside.write("precious.txt", "untouched")
        var evil = try hostile(), accomplice = try hostile()
        let payload = try await evil.store("written through a symlink")

        // A symlink out of the folder and a file below it, in one index.
        try await evil.publish([
            evil.entry("esc", .symlink, target: outside.root),
            evil.entry("esc/x", .file, capability: payload, size: 25),
        ])
        await rounds(victim)
        // A directory, then the same name as a symlink with a new file below it.
        try await evil.publish([
            evil.entry("esc", .symlink, target: outside.root),
            evil.entry("esc/x", .file, capability: payload, size: 25),
            evil.entry("d", .directory, mode: 0o755),
            evil.entry("d/y", .file, capability: payload, size: 25),
        ])
        await rounds(victim)
        try await evil.publish([
            evil.entry("esc", .symlink, target: outside.root),
            evil.entry("d", .symlink, target: outside.root, counter: 2),
            evil.entry("d/y", .file, capability: payload, size: 25, counter: 2),
            evil.entry("d/z", .file, capability: payload, size: 25, counter: 2),
            evil.entry("d/precious.txt", .file, deleted: true, counter: 2),
        ])
        await rounds(victim)
        // Two devices at once: one says `race` is a symlink, the other has `race/x`.
        try await evil.publish([evil.entry("race", .symlink, target: outside.root)])
        try await accomplice.publish([
            accomplice.entry("race", .directory, mode: 0o755),
            accomplice.entry("race/x", .file, capability: payload, size: 25),
            accomplice.entry("race/sub", .directory, mode: 0o755),
            accomplice.entry("race/sub/deeper", .file, capability: payload, size: 25),
        ])
        await rounds(victim, 4)
        // The user's own symlink out of the folder is no way out either.
        try victim.tree.link("mine", to: outside.root)
        await victim.sync()
        try await evil.publish([evil.entry("mine/w", .file, capability: payload, size: 25, counter: 3)])
        await rounds(victim)

        #expect(contents(outside) == ["precious.txt"])
        #expect(outside.read("precious.txt") == "untouched")
        #expect(logs.mentions("is not a directory here"))
        // Whichever of `race` won, the folder holds exactly one coherent version of it.
        let snapshot = try victim.tree.snapshot()
        #expect(snapshot["race"] != nil)
        if snapshot["race"]?.hasPrefix("link") == true { #expect(snapshot["race/x"] == nil) }
    }

    @Test func mkdirThatMeetsASymlinkIsNotSuccess() async throws {
        let victim = try device("victim")
        let outside = FolderTree.temporary("outside-dir")
        defer { outside.destroy() }
        try outside.makeDirectory("")
        // The victim's user put a symlink where the network will say a directory is.
        try victim.tree.link("docs", to: outside.root)
        var evil = try hostile()
        let payload = try await evil.store("into docs")
        try await evil.publish([
            evil.entry("docs", .directory, mode: 0o777),
            evil.entry("docs/inside.txt", .file, capability: payload, size: 9),
        ])
        await rounds(victim)
        #expect(contents(outside).isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: outside.root)[.posixPermissions] as? Int
        #expect(mode != 0o777)
    }

    @Test func permissionBitsAreMaskedToTheUmask() async throws {
        let victim = try device("victim")
        var evil = try hostile()
        let payload = try await evil.store("#!/bin/sh\n")
        try await evil.publish([
            evil.entry("setuid.sh", .file, mode: 0o4755, capability: payload, size: 10),
            evil.entry("setgid", .file, mode: 0o2777, capability: payload, size: 10),
            evil.entry("sticky", .directory, mode: 0o1777),
        ])
        await rounds(victim)
        let umask = ProcessUmask.value
        for (path, expected) in [("setuid.sh", 0o755), ("setgid", 0o777), ("sticky", 0o777)] {
            var info = stat()
            #expect(lstat(victim.tree.root + "/" + path, &info) == 0, "\(path) applied")
            #expect(UInt32(info.st_mode) & 0o7777 == UInt32(expected) & ~umask, "\(path): \(String(info.st_mode & 0o7777, radix: 8))")
        }
        // The victim does not answer with a version of its own (no ping-pong over modes).
        let before = network.records.withLock { $0[token.recordKey]?.count ?? 0 }
        await rounds(victim)
        #expect(try victim.tree.snapshot().count == 3)
        #expect(network.records.withLock { $0[token.recordKey]?.count ?? 0 } == before)
    }

    @Test func extremeValuesAreRefusedOrHandledNeverTrap() async throws {
        let victim = try device("victim")
        var evil = try hostile()
        let payload = try await evil.store("12345")
        try await evil.publish([
            evil.entry("oldest", .file, capability: payload, size: 5, modified: .min),
            evil.entry("newest", .file, capability: payload, size: 5, modified: .max),
            evil.entry("huge-a", .file, capability: payload, size: .max),
            evil.entry("huge-b", .file, capability: payload, size: .max),
            evil.entry("counter", .file, capability: payload, size: 5, counter: .max),
            evil.entry("ok.txt", .file, capability: payload, size: 5),
        ])
        await rounds(victim)
        #expect(victim.tree.read("ok.txt") == "12345")
        #expect(victim.tree.read("oldest") == "12345" && victim.tree.read("newest") == "12345")
        #expect(victim.tree.read("counter") == nil)
        #expect(logs.mentions("a version counter above"))
        let status = victim.session.status()
        #expect(status.bytes == .max, "sizes saturate: \(status.bytes)")

        // A local file dated after 2262 scans, syncs and trips nothing.
        try victim.tree.write("future.txt", "from the future")
        let far = timespec(tv_sec: 10_413_792_000, tv_nsec: 0)
        #expect(utimensat(AT_FDCWD, victim.tree.root + "/future.txt", [far, far], 0) == 0)
        let other = try device("other")
        await rounds(victim)
        await rounds(other)
        #expect(other.tree.read("future.txt") == "from the future")
        // The victim still makes versions of its own after meeting the crafted ones.
        try victim.tree.write("oldest", "edited here")
        await rounds(victim)
        await rounds(other)
        #expect(other.tree.read("oldest") == "edited here")
    }

    @Test func controlFilesNeverArriveFromAnotherDevice() async throws {
        let victim = try device("victim")
        try victim.tree.write(IgnoreRules.fileName, "*.secret\n")
        var evil = try hostile()
        let ignoreEverything = try await evil.store("*\n")
        try await evil.publish([
            evil.entry(".p2pignore", .file, capability: ignoreEverything, size: 2),
            evil.entry(".p2pfolder", .file, capability: ignoreEverything, size: 2),
            evil.entry("sub", .directory, mode: 0o755),
            evil.entry("sub/.p2pignore", .file, capability: ignoreEverything, size: 2),
            evil.entry("sub/.p2pfolder", .directory, mode: 0o755),
            evil.entry("sub/normal.txt", .file, capability: ignoreEverything, size: 2),
        ])
        await rounds(victim)
        #expect(victim.tree.read(IgnoreRules.fileName) == "*.secret\n")
        #expect(victim.tree.read("sub/.p2pignore") == nil && victim.tree.read("sub/normal.txt") == "*\n")
        #expect(!FileManager.default.fileExists(atPath: victim.tree.root + "/sub/.p2pfolder"))
        #expect(logs.mentions("control file"))
        // Nor does an honest device publish its own, at any depth.
        let honest = try device("honest")
        try honest.tree.write("deep/.p2pignore", "x\n")
        await rounds(honest)
        await rounds(victim)
        #expect(victim.tree.read("deep/.p2pignore") == nil)
    }

    @Test func aConflictCopyNeverReplacesAFileAndLongNamesGetShorterCopies() async throws {
        let victim = try device("victim")
        let me = await victim.session.me
        let when: Int64 = 1_700_000_000
        let long = String(repeating: "n", count: 240) + ".txt"
        for name in ["f.txt", long] {
            try victim.tree.write(name, "victim's version")
            let time = timespec(tv_sec: Int(when), tv_nsec: 0)
            #expect(utimensat(AT_FDCWD, victim.tree.root + "/" + name, [time, time], 0) == 0)
        }
        let taken = ConflictName.make(for: "f.txt", secondsSince1970: when, device: me.label)
        try victim.tree.write(taken, "a file that happens to have the copy's name")
        await victim.sync()

        var evil = try hostile()
        let theirs = try await evil.store("evil's version")
        try await evil.publish([
            evil.entry("f.txt", .file, capability: theirs, size: 14, modified: (when + 100) * 1_000_000_000),
            evil.entry(long, .file, capability: theirs, size: 14, modified: (when + 100) * 1_000_000_000),
        ])
        await rounds(victim)
        #expect(victim.tree.read("f.txt") == "evil's version")
        #expect(victim.tree.read(taken) == "a file that happens to have the copy's name")
        #expect(victim.tree.read(long) == "evil's version")
        let copies = try victim.tree.snapshot().keys.filter { ConflictName.isConflictCopy($0) }
        let kept = copies.filter { victim.tree.read($0) == "victim's version" }
        #expect(kept.count == 2, "copies: \(copies)")
        #expect(kept.allSatisfy { $0.utf8.count <= ConflictName.maximumNameLength })
    }

    @Test func aReAddedFolderContinuesItsSequence() async throws {
        let identity = try network.device()
        let tree = FolderTree.temporary("readd")
        defer { tree.destroy() }
        func session(_ database: String) throws -> FolderSession {
            let store = try FolderIndexStore(path: tree.root + database)
            try store.addFolder(id: token.folderID, path: tree.root)
            return try FolderSession(
                path: tree.root, folderID: token.folderID, token: token, network: identity, store: store,
                timing: SyncTiming(), logger: logs.logger())
        }
        let first = try session("-1.sqlite")
        let other = try device("other")
        for round in 0..<3 {
            try tree.write("file.txt", "version \(round)")
            await first.step(scan: true, pull: true)
            await rounds(other)
        }
        #expect(other.tree.read("file.txt") == "version 2")
        let signer = await first.deviceID
        let before = try #require(network.records.withLock { $0[token.recordKey]?[signer]?.sequence })
        #expect(before >= 3)

        // The folder is removed and added again: a new index database, the same device.
        let again = try session("-2.sqlite")
        #expect(await again.deviceID == signer)
        try tree.write("file.txt", "after the re-add")
        await again.step(scan: true, pull: true)
        await again.step(scan: false, pull: true)
        let after = try #require(network.records.withLock { $0[token.recordKey]?[signer]?.sequence })
        #expect(after > before)
        // The edit made after the re-add is newer than what the others hold: it wins
        // there, and is not undone here by their older version.
        await rounds(other)
        await again.step(scan: true, pull: true)
        #expect(other.tree.read("file.txt") == "after the re-add")
        #expect(tree.read("file.txt") == "after the re-add")
    }

    @Test func recordsAreSignedByAPerFolderKeyUnlinkableToTheNode() async throws {
        let identity = try network.device()
        let secondToken = try FolderToken.generate()
        var signers: [[UInt8]] = []
        for (index, folderToken) in [token, secondToken].enumerated() {
            let tree = FolderTree.temporary("keys\(index)")
            defer { tree.destroy() }
            let store = try FolderIndexStore.inMemory()
            try store.addFolder(id: folderToken.folderID, path: tree.root)
            let session = try FolderSession(
                path: tree.root, folderID: folderToken.folderID, token: folderToken, network: identity, store: store,
                timing: SyncTiming(), logger: logs.logger())
            try tree.write("a.txt", "a")
            await session.step(scan: true, pull: true)
            let published = try #require(network.records.withLock { $0[folderToken.recordKey]?.values.first })
            signers.append(published.signer)
        }
        #expect(signers[0] != signers[1])
        #expect(!signers.contains(identity.key.publicKey.rawRepresentation))
    }
}

extension FolderSessionTests {
    /// Names whose bytes differ only in Unicode normalisation, read back by their bytes.
    func names(_ tree: FolderTree) -> Set<[UInt8]> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: tree.root)) ?? []).map { Array($0.utf8) })
    }

    @Test func namesThatDifferOnlyInNormalisationAreTwoPathsBothSynced() async throws {
        let composed = "caf\u{E9}.txt", decomposed = "cafe\u{301}.txt"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        let a = try device("a"), b = try device("b")
        try a.tree.write(composed, "composed")
        try a.tree.write(decomposed, "decomposed")
        for _ in 0..<3 {
            await a.sync()
            await b.sync()
        }
        #expect(names(b.tree).isSuperset(of: [Array(composed.utf8), Array(decomposed.utf8)]))
        // Foundation may normalise the path it is given; read each by opening its exact bytes.
        func exact(_ tree: FolderTree, _ name: String) -> String? {
            let fd = open(tree.root + "/" + name, O_RDONLY)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = Glibc.read(fd, &buffer, 64)
            return count >= 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }
        #expect(exact(b.tree, composed) == "composed")
        #expect(exact(b.tree, decomposed) == "decomposed")

        // A device that sends the other form of a name the victim has makes a second
        // file; the victim's own is untouched.
        let victim = try device("victim")
        try victim.tree.write("r\u{E9}sum\u{E9}.txt", "the victim's")
        await victim.sync()
        var evil = try hostile()
        let theirs = try await evil.store("evil's")
        try await evil.publish([evil.entry("re\u{301}sume\u{301}.txt", .file, capability: theirs, size: 6)])
        await rounds(victim)
        #expect(exact(victim.tree, "r\u{E9}sum\u{E9}.txt") == "the victim's")
        #expect(exact(victim.tree, "re\u{301}sume\u{301}.txt") == "evil's")
    }
}
