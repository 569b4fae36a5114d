import FolderSync
import Testing

struct SyncPlannerTests {
    let a: DeviceShortID = 1, b: DeviceShortID = 2
    let base = VersionVector().incremented(by: 1)

    func file(_ path: String, _ capability: String, version: VersionVector, by device: DeviceShortID, mtime: Int64 = 100) -> IndexEntry {
        IndexEntry(path: path, kind: .file, modifiedNanoseconds: mtime, size: 1, capability: capability, version: version, modifiedBy: device)
    }

    func remote(_ entries: IndexEntry...) -> FolderIndex {
        FolderIndex(device: Array(repeating: 2, count: 32), entries: entries)
    }

    @Test func appliesNewerVersionsAndSkipsOlderOnes() {
        let planner = SyncPlanner(device: a, ignore: .none)
        let mine = file("f", "c1", version: base, by: a)
        let newer = file("f", "c2", version: base.incremented(by: b), by: b)
        #expect(planner.plan(local: ["f": mine], remote: [remote(newer)]) == [.apply(newer)])
        #expect(planner.plan(local: ["f": newer], remote: [remote(mine)]) == [])
        #expect(planner.plan(local: [:], remote: [remote(mine)]) == [.apply(mine)])
    }

    @Test func concurrentEditsMakeOneConflictCopyOnTheLosingDevice() {
        let mine = file("f", "c-a", version: base.incremented(by: a), by: a, mtime: 200)
        let theirs = file("f", "c-b", version: base.incremented(by: b), by: b, mtime: 300)
        // The later edit wins; the device that made the earlier one keeps it as a copy.
        let onA = SyncPlanner(device: a, ignore: .none).plan(local: ["f": mine], remote: [remote(theirs)])
        var resolved = theirs
        resolved.version = theirs.version.merged(with: mine.version)
        #expect(onA == [.applyAfterConflictCopy(resolved, loser: mine)])
        // The winner keeps its version and makes no copy.
        #expect(SyncPlanner(device: b, ignore: .none).plan(local: ["f": theirs], remote: [remote(mine)]) == [])
    }

    @Test func anEditBeatsAConcurrentDeletion() {
        let edited = file("f", "c-new", version: base.incremented(by: a), by: a, mtime: 1)
        var deleted = file("f", "", version: base.incremented(by: b), by: b, mtime: 999)
        deleted.deleted = true
        #expect(SyncPlanner(device: a, ignore: .none).plan(local: ["f": edited], remote: [remote(deleted)]) == [])
        var restored = edited
        restored.version = edited.version.merged(with: deleted.version)
        #expect(SyncPlanner(device: b, ignore: .none).plan(local: ["f": deleted], remote: [remote(edited)]) == [.apply(restored)])
    }

    @Test func ordersDirectoriesFirstAndDeletionsChildrenFirstAndSkipsIgnored() {
        let planner = SyncPlanner(device: a, ignore: IgnoreRules(parsing: "*.tmp"))
        let v = base.incremented(by: b)
        var goneDir = IndexEntry(path: "old", kind: .directory, deleted: true, version: v)
        var goneFile = file("old/x", "", version: v, by: b)
        goneFile.deleted = true
        goneDir.modifiedBy = b
        let local: [PathKey: IndexEntry] = [
            "old": IndexEntry(path: "old", kind: .directory, version: base), "old/x": file("old/x", "c", version: base, by: a),
        ]
        let newDir = IndexEntry(path: "new", kind: .directory, mode: 0o750, version: v)
        let newFile = file("new/y", "c2", version: v, by: b)
        let ignored = file("new/z.tmp", "c3", version: v, by: b)
        let plan = planner.plan(local: local, remote: [remote(goneDir, goneFile, newDir, newFile, ignored)])
        #expect(plan.map(\.entry.path) == ["new", "new/y", "old/x", "old"])
    }
}
