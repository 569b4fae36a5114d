import APIModel

/// A folder followed on demand (docs/mount.md): the other devices' indexes are read and
/// merged as the planner would apply them, and nothing else happens — no scan, nothing
/// written to the folder's path, nothing published, no references on its versions.
extension FolderSession {
    /// One round: the indexes that changed are read.
    func followOnce() async {
        do {
            state = .syncing
            try await refreshRemoteIndexes()
            state = .idle
            lastError = nil
        } catch is CancellationError {
            return
        } catch {
            state = .error
            lastError = "\(error)"
            logger.warning("could not read the folder's indexes; retrying at the next poll", metadata: ["error": "\(error)"])
        }
        refreshStatus()
    }

    /// A fingerprint of the indexes merged (each device and its record's sequence, FNV-1a):
    /// it changes when one of them does, and means the same after a restart.
    var generation: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (device, index) in remote.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            for byte in device + withUnsafeBytes(of: index.sequence.littleEndian, Array.init) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return hash
    }

    /// Every device's newest entries, as the planner resolves them against an empty
    /// folder, without deletions; in path order.
    public func mergedTree() -> FolderAPIDocuments.Tree {
        let actions = SyncPlanner(device: me, ignore: .none).plan(local: [:], remote: indexes(.present))
        let entries = actions.map(\.entry).filter { !$0.deleted }.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return FolderAPIDocuments.Tree(folder: folderID, generation: generation, entries: entries.map { entry in
            switch entry.kind {
            case .file:
                FolderAPIDocuments.Tree.Entry(
                    path: entry.path, type: "file", mode: entry.mode & 0o777, mtimeNanoseconds: entry.modifiedNanoseconds,
                    size: entry.size, cap: entry.capability, target: nil)
            case .directory:
                FolderAPIDocuments.Tree.Entry(
                    path: entry.path, type: "directory", mode: entry.mode & 0o777, mtimeNanoseconds: entry.modifiedNanoseconds,
                    size: 0, cap: nil, target: nil)
            case .symlink:
                FolderAPIDocuments.Tree.Entry(
                    path: entry.path, type: "symlink", mode: 0o777, mtimeNanoseconds: entry.modifiedNanoseconds,
                    size: UInt64(entry.symlinkTarget.utf8.count), cap: nil, target: entry.symlinkTarget)
            }
        })
    }
}
