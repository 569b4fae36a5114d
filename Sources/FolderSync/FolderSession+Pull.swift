import Codecs
import Content
import Foundation
import Peer

extension FolderSession {
    /// Fetches the other devices' records, loads the indexes that changed, and applies
    /// what the planner decides.
    func pullOnce() async throws {
        try await refreshRemoteIndexes()
        let ignore = ignoreRules()
        let actions = SyncPlanner(device: me, ignore: ignore).plan(local: local.mapValues(\.entry), remote: remote.values.map(\.index))
        guard !actions.isEmpty else {
            pendingRemote = 0
            return
        }
        let applier = FileApplier(root: path, decoder: FileDecoder(source: network.chunkSource), logger: logger)
        var copies = localCopies()
        var changed: [LocalEntry] = []
        var unfinished = 0
        for action in actions {
            if Task.isCancelled { throw CancellationError() }
            let entry = action.entry
            switch action {
            case .adopt:
                let updated = LocalEntry(entry: entry, inode: local[entry.path]?.inode ?? 0)
                local[entry.path] = updated
                changed.append(updated)
                continue
            case .applyAfterConflictCopy(_, let loser):
                guard let current = local[entry.path], DiskEntry.lstat(path + "/" + entry.path)?.matches(loser, inode: current.inode) == true else {
                    unfinished += 1
                    poke(scan: true)
                    continue
                }
                let copy = try applier.moveAside(loser)
                var moved = current
                moved.entry.path = copy
                copies[current.entry.capability] = FileApplier.CopySource(path: path + "/" + copy, recorded: moved)
                local[entry.path] = nil
                logger.notice("conflict: kept this device's version as a copy", metadata: ["path": "\(entry.path)", "copy": "\(copy)"])
                poke(scan: true)
            case .apply:
                break
            }
            let source = entry.kind == .file ? copies[entry.capability] : nil
            switch await applier.apply(entry, current: local[entry.path], copySource: source) {
            case .applied(let updated):
                local[entry.path] = updated
                changed.append(updated)
                if entry.kind == .file && !entry.deleted {
                    copies[entry.capability] = FileApplier.CopySource(path: path + "/" + entry.path, recorded: updated)
                }
            case .changedLocally:
                unfinished += 1
                poke(scan: true)
            case .failed(let reason):
                unfinished += 1
                logger.warning("could not apply a remote change", metadata: ["path": "\(entry.path)", "reason": "\(reason)"])
            }
        }
        try store.save(folder: folderID, changed)
        pendingRemote = unfinished
        if !changed.isEmpty {
            needPublish = true
            logger.info("applied remote changes", metadata: ["applied": "\(changed.count)", "unfinished": "\(unfinished)"])
        }
    }

    /// Loads every device's index whose record is newer than the one held; ignores (and
    /// logs) records with a bad signature, an older sequence, or an announcement that
    /// does not open with this folder's key.
    private func refreshRemoteIndexes() async throws {
        let records = try await network.fetchRecords(key: token.recordKey)
        let decoder = FileDecoder(source: network.chunkSource)
        for record in records where record.signer != network.deviceID {
            let signer = Base32.encode(record.signer)
            guard record.isValid, record.key == token.recordKey else {
                logger.warning("ignored a folder record with a bad signature", metadata: ["signer": "\(signer)"])
                continue
            }
            if let seen = seenSequence[record.signer], record.sequence < seen {
                logger.warning("ignored an older folder record", metadata: [
                    "signer": "\(signer)", "sequence": "\(record.sequence)", "seen": "\(seen)",
                ])
                continue
            }
            if let held = remote[record.signer], held.sequence >= record.sequence { continue }
            do {
                let announcement = try IndexAnnouncement(opening: record.payload, token: token, signer: record.signer)
                let bytes = try await decoder.read(try Capability(parsing: announcement.indexCapability))
                let index = try FolderIndex(decoding: bytes)
                guard index.device == record.signer else {
                    throw FolderSyncError.malformed(what: "folder index", reason: "announced by another device")
                }
                remote[record.signer] = RemoteIndex(sequence: record.sequence, index: index)
                seenSequence[record.signer] = record.sequence
                let device = FolderIndexStore.Device(
                    device: record.signer, sequence: record.sequence, indexCapability: announcement.indexCapability,
                    entryCount: index.entries.count, publishedMilliseconds: announcement.publishedMilliseconds,
                    seenMilliseconds: Self.now())
                devices[record.signer] = device
                try store.saveDevice(folder: folderID, device)
            } catch let error as FolderSyncError {
                logger.warning("ignored a folder record", metadata: ["signer": "\(signer)", "error": "\(error)"])
            }
        }
    }

    /// For each capability present here unchanged, a path holding it: a rename or a copy
    /// elsewhere is then written from the local file, not downloaded.
    private func localCopies() -> [String: FileApplier.CopySource] {
        var copies: [String: FileApplier.CopySource] = [:]
        for (relative, local) in local where !local.entry.deleted && local.entry.kind == .file {
            copies[local.entry.capability] = FileApplier.CopySource(path: path + "/" + relative, recorded: local)
        }
        return copies
    }
}
