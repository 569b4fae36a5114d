import Content
import FolderKeys
import Foundation

extension FolderSession {
    /// The folder's ignore rules, re-read at every scan so edits apply at once.
    func ignoreRules() -> IgnoreRules {
        guard let data = FileManager.default.contents(atPath: path + "/" + IgnoreRules.fileName) else { return .none }
        return IgnoreRules(parsing: String(decoding: data, as: UTF8.self))
    }

    /// Finds what changed on disk since the index recorded it, stores the new content,
    /// and records each change as a new version made by this device.
    func scanOnce() async throws {
        let ignore = ignoreRules()
        let scanner = FolderScanner(root: path, ignore: ignore, removesTemporaries: true)
        if !scanner.hasMarker {
            // A folder this device never synced gets its marker; one it synced before and
            // that lost it is missing (or unmounted), not empty.
            guard local.isEmpty, DiskEntry.lstat(path)?.kind == .directory else {
                throw FolderSyncError.invalidFolder(
                    path: path, reason: "its \(FolderScanner.markerName) marker is missing: is the folder deleted or its disk unmounted? Nothing syncs until it is back (`touch \(path)/\(FolderScanner.markerName)` if this is the folder)")
            }
            try scanner.placeMarker()
        }
        if local.isEmpty && !lookedForOwnRecord { try await inheritOwnIndex() }
        let disk = try await Task.detached { try scanner.scan() }.value
        watcher?.watch([""] + disk.filter { $0.value.kind == .directory }.map(\.key.path))

        var changed: [LocalEntry] = []
        var versionsMade = 0
        let candidates = disk.filter { relative, found in
            guard let old = local[relative] else { return true }
            return !found.matches(old.entry, inode: old.inode)
        }.sorted { $0.key < $1.key }
        // Files are read, encrypted and stored several at a time: most of a small file's
        // cost is the round trips to its replicas.
        let described = try await Self.concurrently(candidates, isSmall: { Self.isSmall($0.value.size) }) { relative, found in
            try await self.describe(relative.path, found)
        }
        for ((relative, found), description) in zip(candidates, described) {
            // Changed while being read: the watcher (or the periodic rescan) brings it back.
            guard var entry = description else { continue }
            let old = local[relative] ?? inherited[relative].map { LocalEntry(entry: $0, inode: 0) }
            if let old, !old.entry.deleted, old.entry.hasSameContent(as: entry) {
                // Same state, new inode (a copy put back in place): nothing to announce.
                entry = old.entry
            } else {
                // A new path starts above every tombstone dropped here (`Tombstones.counterFloor`).
                let base = old?.entry.version ?? VersionVector([.init(device: me, value: counterFloor)])
                entry.version = base.incremented(by: me)
                entry.modifiedBy = me
                versionsMade += 1
            }
            let updated = LocalEntry(entry: entry, inode: found.inode)
            local[relative] = updated
            changed.append(updated)
        }
        for (relative, old) in local where !old.entry.deleted && disk[relative] == nil {
            // A path now ignored keeps its last state; one that cannot be seen is not deleted.
            if ignore.isIgnored(relative.path, isDirectory: old.entry.kind == .directory) { continue }
            if DiskEntry.lstat(path + "/" + relative.path) != nil { continue }
            let updated = LocalEntry(entry: old.entry.deletion(by: me), inode: 0)
            local[relative] = updated
            changed.append(updated)
            versionsMade += 1
        }
        try save(changed)
        if !changed.isEmpty { referencesStale = true }
        try store.markStored(chunks.takePending())
        if versionsMade > 0 {
            needPublish = true
            lastLocalChange = Self.now()
            logger.info("local changes", metadata: ["changes": "\(versionsMade)"])
        }
    }

    /// Loads this device's own last index from the network, if it published one before
    /// (the folder was removed and added again, or the home is new with the same node
    /// key): its sequence continues, and its versions are the base of the scan's.
    private func inheritOwnIndex() async throws {
        let own = try await network.fetchRecords(key: token.recordKey).filter {
            $0.signer == deviceID && $0.key == token.recordKey && $0.isValid
        }.max { $0.sequence < $1.sequence }
        lookedForOwnRecord = true
        guard let own else { return }
        try store.raiseSequence(folder: folderID, past: own.sequence)
        do {
            let announcement = try IndexAnnouncement(opening: own.payload, token: token, signer: deviceID)
            let (index, _) = try await readIndex(announcement, device: deviceID, cached: false)
            inherited = Dictionary(index.entries.map { (PathKey($0.path), $0) }, uniquingKeysWith: { first, _ in first })
            logger.info("continuing this device's earlier index of the folder", metadata: [
                "sequence": "\(own.sequence)", "entries": "\(index.entries.count)",
            ])
        } catch let error as FolderSyncError {
            logger.warning("could not read this device's earlier index; starting afresh", metadata: ["error": "\(error)"])
        }
    }

    /// The entry for what the disk holds at `relative`; files are read, encrypted and
    /// stored (only chunks not stored before travel). Nil if the file changed meanwhile.
    private nonisolated func describe(_ relative: String, _ found: DiskEntry) async throws -> IndexEntry? {
        switch found.kind {
        case .directory:
            return IndexEntry(path: relative, kind: .directory, mode: found.mode)
        case .symlink:
            return IndexEntry(path: relative, kind: .symlink, mode: found.mode, symlinkTarget: found.symlinkTarget)
        case .file:
            let absolute = path + "/" + relative
            let encoder = FileEncoder(sink: chunks, cipher: cipher)
            let encoded: EncodedFile
            do {
                encoded = try await encoder.encode(contentsOfFile: absolute)
            } catch let error as FileReadError {
                // Vanished or unreadable while reading: the next scan decides.
                logger.debug("file not readable now", metadata: ["path": "\(relative)", "error": "\(error)"])
                return nil
            }
            guard DiskEntry.lstat(absolute) == found else { return nil }
            return IndexEntry(
                path: relative, kind: .file, mode: found.mode, modifiedNanoseconds: found.modifiedNanoseconds,
                size: encoded.size, capability: encoded.capability.description)
        }
    }
}
