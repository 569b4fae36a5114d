import APIModel
import Content
import FolderKeys
import Foundation
import Testing
@testable import FolderSync
import TestSupport

/// Versions of a synced folder's files (docs/sync.md, "Versions") on real folders with the
/// network in memory: what is kept, what is referenced, and what a restore writes back.
extension FolderSessionTests {
    /// The contents of `relative`'s kept versions on `device`, as listed (current first).
    func contents(of relative: String, on device: Device) async throws -> [String] {
        var found: [String] = []
        for version in try await device.session.versions(of: relative) {
            let bytes = try await FileDecoder(source: network.chunks).read(try Capability(parsing: version.capability))
            found.append(String(decoding: bytes, as: UTF8.self))
        }
        return found
    }

    @Test func editsAndADeletionKeepEveryVersionOnEveryDevice() async throws {
        let a = try device("a"), b = try device("b")
        for text in ["first", "second", "third"] {
            try a.tree.write("notes.txt", text)
            try await converge([a, b])
        }
        #expect(try await contents(of: "notes.txt", on: a) == ["third", "second", "first"])
        #expect(try await contents(of: "notes.txt", on: b) == ["third", "second", "first"])
        let listed = try await b.session.versions(of: "notes.txt")
        #expect(listed.first?.supersededMilliseconds == nil && listed.dropFirst().allSatisfy { $0.supersededMilliseconds != nil })

        try a.tree.remove("notes.txt")
        try await converge([a, b])
        // No current version any more; the last one is kept, marked as replaced by a deletion.
        #expect(try await contents(of: "notes.txt", on: b) == ["third", "second", "first"])
        #expect(try await b.session.versions(of: "notes.txt").first?.deleted == true)
        // A change of mode alone is not a new version of the content.
        try a.tree.write("mode.sh", "#!/bin/sh\n")
        try await converge([a, b])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: a.tree.root + "/mode.sh")
        try await converge([a, b])
        #expect(try await contents(of: "mode.sh", on: b) == ["#!/bin/sh\n"])
    }

    @Test func everyKeptVersionIsReferencedAndNothingElse() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("one.txt", "1")
        try a.tree.write("two.txt", "2")
        try await converge([a, b])
        try a.tree.write("one.txt", "1, edited")
        try a.tree.remove("two.txt")
        try await converge([a, b])
        for device in [a, b] {
            let kept = Set(try device.store.capabilitiesInUse(folder: token.folderID).keys)
            #expect(kept.count == 3)
            #expect(try await device.syncNetwork.references(folder: token.folderID) == kept)
        }
    }

    @Test func versionsPastTheRetentionAreDroppedAndReleased() async throws {
        let a = try FolderSessionTests.Device("a", network: network, token: token, logger: logs.logger(), retentionSeconds: 0)
        try a.tree.write("big.bin", bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        await a.sync()
        let first = try await a.syncNetwork.references(folder: token.folderID)
        #expect(first.count == 1)
        try a.tree.write("big.bin", bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        await a.sync()
        // Kept for a retention of zero: superseded now, gone at the next round's maintenance.
        try await Task.sleep(for: .milliseconds(5))
        await a.session.step(scan: false, pull: false)
        let now = try await a.syncNetwork.references(folder: token.folderID)
        #expect(now.count == 1 && now != first)
        #expect(try await a.session.versions(of: "big.bin").count == 1)
    }

    @Test func restoreBringsAVersionBackOnEveryDevice() async throws {
        let a = try device("a"), b = try device("b")
        for text in ["draft 1", "draft 2", "draft 3"] {
            try a.tree.write("essay.txt", text)
            try await converge([a, b])
        }
        let firstDraft = try #require(try await b.session.versions(of: "essay.txt").last)
        let session = b.session
        let running = Task { await session.run() }
        // Without a time: the version replaced last. With one: the newest modified by then.
        let restored = try await session.restore("essay.txt", at: nil)
        #expect(b.tree.read("essay.txt") == "draft 2")
        #expect(restored.size == 7)
        _ = try await session.restore("essay.txt", at: firstDraft.modifiedNanoseconds / 1_000_000 + 1)
        #expect(b.tree.read("essay.txt") == "draft 1")
        await #expect(throws: FolderSyncError.self) { try await session.restore("essay.txt", at: Int64.max / 2) }
        await #expect(throws: FolderSyncError.self) { try await session.restore("never-there.txt", at: nil) }
        running.cancel()
        await running.value
        try await converge([a, b])
        #expect(a.tree.read("essay.txt") == "draft 1")
        // A restore is a new version: the one it replaced is kept too, here and on the others.
        #expect(try await contents(of: "essay.txt", on: b).prefix(3) == ["draft 1", "draft 2", "draft 3"])
        let onA = try await contents(of: "essay.txt", on: a)
        #expect(onA.first == "draft 1" && onA.contains("draft 3"))
    }

    @Test func aRestoreNeverOverwritesAnEditNotYetScanned() async throws {
        let a = try device("a")
        try a.tree.write("plan.txt", "old plan")
        await a.sync()
        try a.tree.write("plan.txt", "new plan")
        await a.sync()
        try a.tree.write("plan.txt", "typed just now")
        let session = a.session
        let running = Task { await session.run() }
        await #expect(throws: FolderSyncError.self) { try await session.restore("plan.txt", at: nil) }
        running.cancel()
        await running.value
        #expect(a.tree.read("plan.txt") == "typed just now")
    }
}
