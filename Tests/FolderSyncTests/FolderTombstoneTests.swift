import Content
import FolderKeys
import Records
import Foundation
import Testing
@testable import FolderSync
import TestSupport

/// Tombstones leave the indexes once every device has seen them (docs/sync.md,
/// "Tombstones"), and never so early that a deleted file comes back.
extension FolderSessionTests {
    /// A device whose tombstones leave as soon as they are seen (no delay), for rounds driven by hand.
    /// Its republish interval is a millisecond, so a device silent for three of them while
    /// watched is away as soon as its last record is older than the retention.
    func quickDevice(_ label: String) throws -> Device {
        var timing = SyncTiming()
        timing.tombstoneDelay = .zero
        timing.republishInterval = .milliseconds(1)
        return try Device(label, network: network, token: token, logger: logs.logger(), timing: timing)
    }

    func tombstones(on device: Device) throws -> [String] {
        try device.store.entries(folder: token.folderID).values.filter(\.entry.deleted).map(\.entry.path).sorted()
    }

    func holds(_ path: String, _ device: Device) throws -> Bool {
        try device.store.entries(folder: token.folderID)[PathKey(path)] != nil
    }

    @Test func tombstonesLeaveEveryIndexOnceEveryDeviceHasSeenThem() async throws {
        let a = try quickDevice("a"), b = try quickDevice("b"), c = try quickDevice("c")
        try a.tree.write("gone.txt", "soon deleted")
        try a.tree.write("dir/inner.txt", "also")
        try a.tree.write("kept.txt", "stays")
        try await converge([a, b, c])
        #expect(b.tree.read("gone.txt") == "soon deleted" && c.tree.read("dir/inner.txt") == "also")

        try b.tree.remove("gone.txt")
        try b.tree.remove("dir")
        try await converge([a, b, c])
        for device in [a, b, c] {
            #expect(try tombstones(on: device).isEmpty, "\(device.tree.root)")
            #expect(try !holds("gone.txt", device) && !holds("dir/inner.txt", device) && holds("kept.txt", device))
            #expect(device.tree.read("gone.txt") == nil && device.tree.read("dir/inner.txt") == nil)
            #expect(device.tree.read("kept.txt") == "stays")
            #expect(device.session.status().tombstones == 0)
        }
        // The deleted file's versions stay, restorable, on every device.
        #expect(try await contents(of: "gone.txt", on: c) == ["soon deleted"])
        #expect(a.session.status().tombstonesDropped == 3)
    }

    @Test func aDeviceAwayWithTheFileHoldsTheTombstonesBackAndDeletesItWhenBack() async throws {
        let a = try quickDevice("a"), b = try quickDevice("b"), away = try quickDevice("away")
        try a.tree.write("gone.txt", "soon deleted")
        try await converge([a, b, away])
        try a.tree.remove("gone.txt")
        // `away` does not run: its index still holds the file.
        try await converge([a, b], rounds: 6)
        #expect(try tombstones(on: a) == ["gone.txt"] && tombstones(on: b) == ["gone.txt"])

        try await converge([a, b, away])
        for device in [a, b, away] {
            #expect(device.tree.read("gone.txt") == nil, "the deleted file came back on \(device.tree.root)")
            #expect(try tombstones(on: device).isEmpty)
        }
        // Rounds after every tombstone is gone bring nothing back either.
        try await converge([away, b, a])
        #expect([a, b, away].allSatisfy { $0.tree.read("gone.txt") == nil })
    }

    @Test func aPathCreatedAgainAfterItsTombstoneWasDroppedReachesADeviceStillHoldingIt() async throws {
        let a = try quickDevice("a"), b = try quickDevice("b")
        try a.tree.write("x.txt", "one")  // version {a:1}
        try await converge([a, b])
        try b.tree.write("x.txt", "two")  // {a:1, b:2}
        try await converge([a, b])
        try b.tree.remove("x.txt")  // {a:1, b:3}, published by b
        await b.sync()
        await a.sync()  // applies the deletion, sees b's tombstone, drops its own
        #expect(try !holds("x.txt", a) && tombstones(on: b) == ["x.txt"])

        // Created again on a before b dropped its tombstone: without a floor its version
        // would be {a:1}, older than b's tombstone, and b would never take it.
        try a.tree.write("x.txt", "three")
        await a.sync()
        await b.sync()
        #expect(b.tree.read("x.txt") == "three")
        try await converge([a, b])
        #expect(a.tree.read("x.txt") == "three" && b.tree.read("x.txt") == "three")
    }

    @Test func anIndexThatCannotBeReadKeepsEveryTombstone() async throws {
        let a = try quickDevice("a")
        var other = try HostileDevice(network: network, token: token)
        try a.tree.write("x.txt", "one")
        await a.sync()
        try await other.publish([other.entry("x.txt", .file, deleted: true, counter: 9)])
        await a.sync()  // reads it; its own x.txt, live, wins
        try a.tree.remove("x.txt")
        try await other.publish([], readable: false)
        await a.sync()
        await a.sync()
        // The other device's last readable index said "deleted", but its newest cannot be read.
        #expect(try tombstones(on: a) == ["x.txt"])
        try await other.publish([])
        await a.sync()
        #expect(try tombstones(on: a).isEmpty)
    }

    @Test func tombstonesWaitTheDelayRoundAfterRound() async throws {
        let a = try device("a"), b = try device("b")
        try a.tree.write("x.txt", "one")
        try await converge([a, b])
        try a.tree.remove("x.txt")
        try await converge([a, b])
        #expect(try tombstones(on: a) == ["x.txt"], "dropped before the delay (600 s by default)")
        // Seen in every round since: once the delay has passed, it goes.
        try await a.session.dropSeenTombstones(now: .now + .seconds(601))
        #expect(try tombstones(on: a).isEmpty)
        try await b.session.dropSeenTombstones(now: .now + .seconds(601))
        #expect(try tombstones(on: b).isEmpty)
    }

    @Test func onlyPathsNoOtherIndexHoldsLiveAreDroppable() {
        let me = DeviceShortID(deviceID: [UInt8](repeating: 1, count: 32))
        func entry(_ path: String, deleted: Bool) -> IndexEntry {
            IndexEntry(
                path: path, kind: .file, mode: 0o644, modifiedNanoseconds: 0, size: 0, capability: "", deleted: deleted,
                version: VersionVector([.init(device: me, value: 7)]), modifiedBy: me)
        }
        let local: [PathKey: IndexEntry] = [
            PathKey("a"): entry("a", deleted: true), PathKey("b"): entry("b", deleted: true), PathKey("c"): entry("c", deleted: false),
        ]
        let other = FolderIndex(device: [UInt8](repeating: 2, count: 32), entries: [entry("a", deleted: false), entry("c", deleted: true)])
        let empty = FolderIndex(device: [UInt8](repeating: 3, count: 32), entries: [])
        #expect(Tombstones.seenByEveryDevice(local: local, others: [other, empty]) == [PathKey("b")])
        #expect(Tombstones.seenByEveryDevice(local: local, others: []) == [PathKey("a"), PathKey("b")])
        #expect(Tombstones.counterFloor(of: local.values) == 7)
    }
}

/// A device away for longer than the retention (docs/sync.md, "Away longer than the
/// retention"): the others stop waiting for it, and on its return it removes what they
/// deleted meanwhile instead of bringing it back.
extension FolderSessionTests {
    /// Makes `device`'s latest record say it was published `daysAgo` days ago, as if the
    /// device had been away since: re-signed with its own key at the next sequence, and its
    /// own store says so too; the device restarts.
    func backdate(_ device: Device, daysAgo: Int64) throws {
        let key = try device.syncNetwork.deviceKey(context: token.recordKey)
        let id = key.publicKey.rawRepresentation
        let own = try #require(network.records.withLock { $0[token.recordKey]?[id] })
        var announcement = try IndexAnnouncement(opening: own.payload, token: token, signer: id)
        announcement.publishedMilliseconds -= daysAgo * 86_400_000
        network.plant(try SignedRecord.sign(
            key: token.recordKey, sequence: own.sequence + 1, payload: try announcement.sealed(token: token, signer: id), with: key,
            endorsement: try RecordEndorsement.endorse(signer: id, by: token.ownerKey)))
        try device.store.markPublished(folder: token.folderID, at: announcement.publishedMilliseconds)
        try device.restart()
    }

    @Test func aDeviceBackAfterTheRetentionRemovesWhatTheOthersDeletedAndForgot() async throws {
        let a = try quickDevice("a"), b = try quickDevice("b"), away = try quickDevice("away")
        for name in ["gone.txt", "dir/gone-too.txt", "edited-there.txt", "kept.txt"] { try a.tree.write(name, "first \(name)") }
        try await converge([a, b, away])
        try backdate(away, daysAgo: 40)

        try a.tree.remove("gone.txt")
        try a.tree.remove("dir")
        try a.tree.remove("edited-there.txt")
        try await converge([a, b])
        // The others no longer wait for it: their tombstones are gone, and its stale index
        // did not bring anything back.
        for device in [a, b] {
            #expect(try tombstones(on: device).isEmpty)
            #expect(device.tree.read("gone.txt") == nil && device.tree.read("dir/gone-too.txt") == nil)
        }

        // Away, it edited one of the deleted files and made a new one.
        try away.tree.write("edited-there.txt", "edited while away")
        try away.tree.write("new.txt", "made while away")
        try await converge([away, a, b])
        for device in [a, b, away] {
            #expect(device.tree.read("gone.txt") == nil, "a deleted file came back on \(device.tree.root)")
            #expect(device.tree.read("dir/gone-too.txt") == nil)
            #expect(device.tree.read("kept.txt") == "first kept.txt")
            #expect(device.tree.read("edited-there.txt") == "edited while away", "an edit made while away is kept")
            #expect(device.tree.read("new.txt") == "made while away")
        }
        #expect(away.session.status().removedOnReturn == 3)  // gone.txt, dir/gone-too.txt, dir
        // What it removed stays restorable there.
        #expect(try await contents(of: "gone.txt", on: away) == ["first gone.txt"])
    }

    @Test func aDeviceBackWithinTheRetentionIsWaitedFor() async throws {
        let a = try quickDevice("a"), away = try quickDevice("away")
        try a.tree.write("gone.txt", "first")
        try await converge([a, away])
        try backdate(away, daysAgo: 20)
        try a.tree.remove("gone.txt")
        try await converge([a])
        #expect(try tombstones(on: a) == ["gone.txt"], "a device away for less than the retention must be waited for")
        try await converge([away, a])
        #expect(away.tree.read("gone.txt") == nil && a.tree.read("gone.txt") == nil)
        #expect(away.session.status().removedOnReturn == 0)
        #expect(try tombstones(on: a).isEmpty)
    }

    @Test func aFileBackFromAwayThatAnotherDeviceIgnoresStays() async throws {
        let a = try quickDevice("a"), away = try quickDevice("away")
        try a.tree.write(".p2pignore", "build/\n")
        try away.tree.write("build/out.o", "only here: the other device ignores it")
        try away.tree.write("shared.txt", "both")
        try await converge([a, away])
        #expect(a.tree.read("build/out.o") == nil && a.tree.read("shared.txt") == "both")
        try backdate(away, daysAgo: 40)
        try await converge([away, a])
        #expect(away.tree.read("build/out.o") == "only here: the other device ignores it", "removed a file nobody deleted")
        #expect(away.session.status().removedOnReturn == 0)
    }

    @Test func aDeviceBackFromAwayPublishesNothingBeforeItsCheck() async throws {
        let a = try quickDevice("a"), away = try quickDevice("away")
        try a.tree.write("gone.txt", "soon deleted")
        try await converge([a, away])
        try backdate(away, daysAgo: 40)
        let published = network.records.withLock { $0[token.recordKey]?.count ?? 0 }
        // A scan alone (no pull yet): the stale index must not go out.
        try away.tree.write("new.txt", "made while away")
        await away.session.step(scan: true, pull: false)
        let key = try away.syncNetwork.deviceKey(context: token.recordKey).publicKey.rawRepresentation
        let record = try #require(network.records.withLock { $0[token.recordKey]?[key] })
        let announcement = try IndexAnnouncement(opening: record.payload, token: token, signer: key)
        #expect(Int64(Date().timeIntervalSince1970 * 1000) - announcement.publishedMilliseconds > 39 * 86_400_000, "published before its check")
        #expect(network.records.withLock { $0[token.recordKey]?.count ?? 0 } == published)
        await away.sync()
        #expect(away.tree.read("new.txt") == "made while away")
        try await converge([away, a])
        #expect(a.tree.read("new.txt") == "made while away")
    }
}
