import Content
import FolderKeys
import Foundation
import Logging
import Testing
@testable import FolderSync
import TestSupport

/// The sync engine on real folders, with the network in memory and each round driven by
/// hand, so every step is deterministic; the stores live in memory. Real processes are tested in ProcessTests.
struct FolderSessionTests {
    final class Device {
        let tree: FolderTree
        private(set) var session: FolderSession
        let store: FolderIndexStore
        let syncNetwork: MemoryNetwork.Device
        let token: FolderToken
        let logger: Logger

        /// `prepare` runs on the store before the session opens it (entries put there directly).
        let retentionSeconds: Int

        let timing: SyncTiming

        init(
            _ label: String, network: MemoryNetwork, token: FolderToken, logger: Logger, retentionSeconds: Int = 30 * 86_400,
            timing: SyncTiming = SyncTiming(), prepare: (FolderIndexStore, String) throws -> Void = { _, _ in }
        ) throws {
            self.retentionSeconds = retentionSeconds
            self.timing = timing
            tree = FolderTree.temporary(label)
            store = try FolderIndexStore.inMemory()
            try store.addFolder(id: token.folderID, path: tree.root)
            try prepare(store, tree.root)
            syncNetwork = try network.device()
            self.token = token
            self.logger = logger
            session = try FolderSession(
                path: tree.root, folderID: token.folderID, token: token, network: syncNetwork, store: store,
                timing: timing, retentionSeconds: retentionSeconds, logger: logger)
        }

        /// A new session on the same store, folder and key: the device restarted.
        func restart() throws {
            session = try FolderSession(
                path: tree.root, folderID: token.folderID, token: token, network: syncNetwork, store: store,
                timing: timing, retentionSeconds: retentionSeconds, logger: logger)
        }

        func sync() async { await session.step(scan: true, pull: true) }

        deinit {
            tree.destroy()
        }
    }

    let network: MemoryNetwork
    let token: FolderToken
    let logs = LogCapture()

    init() throws {
        network = try MemoryNetwork()
        token = try FolderToken.generate()
    }

    func device(_ label: String) throws -> Device { try Device(label, network: network, token: token, logger: logs.logger()) }

    /// Rounds until both folders hold the same tree (a bounded number: each round is one step).
    func converge(_ devices: [Device], rounds: Int = 4) async throws {
        for _ in 0..<rounds {
            for device in devices { await device.sync() }
        }
    }

    @Test func createModifyDeleteRenameConverge() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("docs/readme.txt", "hello")
        try a.tree.write("docs/deep/nested/data.bin", bytes: (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, mode: 0o600)
        try a.tree.write("run.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        try a.tree.makeDirectory("empty/inside")
        try a.tree.link("link", to: "docs/readme.txt")
        try a.tree.write(".p2pignore", "*.tmp\n")
        try a.tree.write("scratch.tmp", "not synced")
        try await converge([a, b])
        var expected = try a.tree.snapshot()
        expected["scratch.tmp"] = nil
        #expect(try b.tree.snapshot() == expected)
        #expect(b.tree.read("scratch.tmp") == nil)

        try a.tree.write("docs/readme.txt", "hello, changed")
        try a.tree.remove("run.sh")
        try a.tree.remove("empty/inside")
        let uploadedBefore = network.uploadedBytes.load(ordering: .relaxed)
        try a.tree.move("docs/deep", "moved")
        try await converge([a, b])
        expected = try a.tree.snapshot()
        expected["scratch.tmp"] = nil
        #expect(try b.tree.snapshot() == expected)
        #expect(b.tree.read("moved/nested/data.bin") != nil && b.tree.read("docs/deep/nested/data.bin") == nil)
        // The rename and the edit upload the edited file and the changed index pages (how many
        // depends on where this token's keyed hash cuts pages), never the 1.5 MB file again.
        #expect(network.uploadedBytes.load(ordering: .relaxed) - uploadedBefore < 256 * 1024)
    }

    @Test func concurrentEditsKeepBothVersions() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("notes.txt", "original")
        try await converge([a, b])
        try a.tree.write("notes.txt", "edited on a")
        try b.tree.write("notes.txt", "edited on b, later")
        await a.session.step(scan: true, pull: false)
        await b.session.step(scan: true, pull: false)
        try await converge([a, b])
        let snapshotA = try a.tree.snapshot(), snapshotB = try b.tree.snapshot()
        #expect(snapshotA == snapshotB)
        let conflicts = snapshotA.keys.filter { ConflictName.isConflictCopy($0) }
        #expect(conflicts.count == 1)
        let contents = Set([a.tree.read("notes.txt"), conflicts.first.flatMap { a.tree.read($0) }])
        #expect(contents == ["edited on a", "edited on b, later"])
        #expect(a.session.status().conflicts == conflicts)
    }

    @Test func deletionConcurrentWithAnEditKeepsTheEdit() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("f.txt", "v1")
        try await converge([a, b])
        try a.tree.write("f.txt", "v2 on a")
        try b.tree.remove("f.txt")
        await a.session.step(scan: true, pull: false)
        await b.session.step(scan: true, pull: false)
        try await converge([a, b])
        #expect(a.tree.read("f.txt") == "v2 on a")
        #expect(b.tree.read("f.txt") == "v2 on a")
    }

    @Test func recordsWithBadSignaturesOrOlderSequencesAreIgnoredAndLogged() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("one.txt", "1")
        await a.sync()
        let first = try #require(network.records.withLock { $0[token.recordKey]?.values.first })
        try a.tree.write("two.txt", "2")
        await a.sync()
        await b.sync()
        #expect(b.tree.read("two.txt") == "2")

        // A holder replays the older record, then serves a forged one.
        network.plant(first)
        try b.tree.write("local.txt", "b")
        await b.sync()
        #expect(logs.mentions("older folder record"))
        #expect(b.tree.read("two.txt") == "2")
        var forged = first
        forged.sequence = 1_000
        network.plant(forged)
        await b.sync()
        #expect(logs.mentions("bad signature"))
        #expect(b.tree.read("two.txt") == "2" && b.tree.read("one.txt") == "1")
    }

    @Test func aLocalWriteDuringAnApplyIsNotClobbered() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("shared.txt", "v1")
        try await converge([a, b])
        try a.tree.write("shared.txt", "v2 from a")
        await a.sync()
        // B writes before it scanned: the incoming version must not overwrite it.
        try b.tree.write("shared.txt", "b's unsaved work")
        await b.session.step(scan: false, pull: true)
        #expect(b.tree.read("shared.txt") == "b's unsaved work")
        try await converge([a, b])
        let all = try b.tree.snapshot().keys.filter { $0.hasPrefix("shared") }.compactMap { b.tree.read($0) }
        #expect(Set(all) == ["v2 from a", "b's unsaved work"])
        #expect(try a.tree.snapshot() == (try b.tree.snapshot()))
    }

    @Test func rescanWaitsForAFreshScanAndReportsItsDuration() async throws {
        let a = try device("a")
        let session = a.session
        let running = Task { await session.run() }
        defer { running.cancel() }
        try a.tree.write("one.txt", "1")
        let first = try await a.session.rescan()
        #expect(first > .zero)
        #expect(a.session.status().files == 1)
        // A second call scans again: the file written in between is found.
        try a.tree.write("two.txt", "2")
        _ = try await a.session.rescan()
        #expect(a.session.status().files == 2)
    }
}

extension FolderSessionTests {
    @Test func aFolderThatDisappearsIsNotTakenForDeletions() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("keep/me.txt", "precious")
        try await converge([a, b])
        #expect(b.tree.read("keep/me.txt") == "precious")
        // A's disk is "unmounted": the folder is empty and its marker gone.
        try a.tree.remove("keep")
        try a.tree.remove(FolderScanner.markerName)
        await a.sync()
        #expect(a.session.status().state == .error)
        // A round that only pulls keeps the error (and its reason) on show.
        await a.session.step(scan: false, pull: true)
        #expect(a.session.status().state == .error)
        #expect(a.session.status().lastError?.contains("marker is missing") == true, "\(String(describing: a.session.status().lastError))")
        try await converge([b])
        #expect(b.tree.read("keep/me.txt") == "precious")
        // The marker back: the next round clears the error.
        try a.tree.write(FolderScanner.markerName, "")
        await a.session.step(scan: false, pull: true)
        #expect(a.session.status().state == .idle && a.session.status().lastError == nil)
    }

    @Test func leftoverTemporaryFilesAreRemovedAndNeverSynced() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("dir/" + IgnoreRules.temporaryPrefix + "crashed", "half a file")
        try a.tree.write("dir/real.txt", "real")
        try await converge([a, b])
        #expect(a.tree.read("dir/" + IgnoreRules.temporaryPrefix + "crashed") == nil)
        #expect(try b.tree.snapshot().keys.sorted() == ["dir", "dir/real.txt"])
    }
}

extension FolderSessionTests {
    @Test func aFileReplacedByADirectoryAndBack() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("thing", "a file")
        try await converge([a, b])
        try a.tree.remove("thing")
        try a.tree.write("thing/inside.txt", "now a directory")
        try await converge([a, b])
        #expect(b.tree.read("thing/inside.txt") == "now a directory")
        try a.tree.remove("thing")
        try a.tree.write("thing", "a file again")
        try await converge([a, b], rounds: 6)
        #expect(try b.tree.snapshot() == (try a.tree.snapshot()))
        #expect(b.tree.read("thing") == "a file again")
    }
}
