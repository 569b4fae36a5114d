import Foundation
import FolderSync
import TestSupport
import Testing

/// Folder sync between real `p2pd` devices where one device's content is an attack on
/// the others: a symlink out of the folder racing a directory of the same name, setuid
/// bits, control files; and a folder removed and added again.
@Suite(.serialized) struct SyncHostileProcessTests {
    /// The umask the daemons inherited from this process.
    static var umask: Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        return line.flatMap { Int($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) } ?? 0o022
    }

    func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    @Test func aSymlinkRacingADirectoryAndSetuidBitsNeverLeaveTheFolder() async throws {
        let devices = try await SyncProcessTests.Devices()
        let (a, b, c) = (devices.trees[0], devices.trees[1], devices.trees[2])
        let outside = FolderTree(root: devices.cluster.root + "/outside")
        try outside.write("precious.txt", "untouched")

        // At the same moment: A says `esc` is a symlink to a directory outside every
        // folder (the same path on every device of this machine); B has `esc/x` and
        // `esc/deep/y`. Meanwhile A also shares a setuid program and a nested ignore file.
        try a.link("esc", to: outside.root)
        try b.write("esc/x", "through the link?")
        try b.write("esc/deep/y", "deeper")
        try a.write("tool", "#!/bin/sh\n", mode: 0o4755)
        try a.makeDirectory("shared")
        try FileManager.default.setAttributes([.posixPermissions: 0o3777], ofItemAtPath: a.root + "/shared")
        try a.write("sub/.p2pignore", "*.txt\n")
        try a.write("sub/kept.txt", "synced: the nested ignore file is A's own")

        let settled = await Daemon.eventually(timeout: .seconds(120)) {
            c.read("sub/kept.txt") != nil && b.read("tool") != nil && c.read("tool") != nil
                && (try? c.snapshot())?["esc"] != nil && (try? b.snapshot())?["shared"] != nil
        }
        #expect(settled, "C: \(Array(((try? c.snapshot()) ?? [:]).keys).sorted())")
        // Every device has dealt with `esc/x`: written it inside a real directory `esc`, or
        // refused it because `esc` is a symlink there (which of the concurrent versions of
        // `esc` wins depends on the devices' ids).
        let dealt = await Daemon.eventually(timeout: .seconds(120)) {
            (0..<3).allSatisfy { index in
                let tree = devices.trees[index]
                let inside = (try? tree.snapshot())?["esc"]?.hasPrefix("dir") == true && tree.read("esc/x") != nil
                return inside || devices.cluster.log(index).contains("esc is not a directory here")
            }
        }
        #expect(dealt, "A: \(a.read("esc/x") ?? "-") B: \(b.read("esc/x") ?? "-") C: \(c.read("esc/x") ?? "-")")

        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.root) == ["precious.txt"])
        #expect(outside.read("precious.txt") == "untouched")
        for tree in [b, c] {
            #expect(mode(tree.root + "/tool") == 0o755 & ~Self.umask, "\(tree.root): tool \(String(mode(tree.root + "/tool") ?? -1, radix: 8))")
            #expect(mode(tree.root + "/shared") == 0o777 & ~Self.umask)
            #expect(tree.read("sub/.p2pignore") == nil)
        }
        #expect(mode(a.root + "/tool") == 0o4755, "A's own file keeps its bits")
        for index in 0..<3 { #expect(try devices.cluster.p2p(index, ["status"]).status == 0, "device \(index) is up") }
    }

    @Test func aReAddedFolderContinuesItsSequenceAndIsSeenAgain() async throws {
        let devices = try await SyncProcessTests.Devices()
        let (a, b) = (devices.trees[0], devices.trees[1])
        for round in 0..<3 {
            try a.write("notes.txt", "round \(round)")
            #expect(await devices.converge(devices: [1]), "round \(round): \(devices.differences(1))")
        }
        let removed = try devices.cluster.p2p(0, ["sync", "remove", a.root])
        #expect(removed.status == 0, "\(removed.stderr)")
        let added = try devices.cluster.p2p(0, ["sync", "add", a.root, "--token", devices.token])
        #expect(added.status == 0, "\(added.stderr)")
        try a.write("notes.txt", "written after the re-add")
        try a.write("new.txt", "also new")
        let seen = await Daemon.eventually(timeout: .seconds(90)) {
            b.read("notes.txt") == "written after the re-add" && b.read("new.txt") == "also new"
        }
        #expect(seen, "B: \(b.read("notes.txt") ?? "absent")")
    }
}
