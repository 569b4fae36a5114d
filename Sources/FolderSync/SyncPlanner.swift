/// Decides, from this device's index and the other devices' indexes, what to change on
/// this device. Pure: no disk, no network, no clock.
///
/// The rule is Syncthing's. For each path the newest version wins; of two concurrent
/// versions, an existing entry beats a deletion, then the later modification time, then
/// the larger device id. Only the device whose own version lost makes a conflict copy
/// of it (and that copy syncs as a new file), so each conflict yields exactly one copy.
public struct SyncPlanner: Sendable {
    public let device: DeviceShortID
    public let ignore: IgnoreRules

    public init(device: DeviceShortID, ignore: IgnoreRules) {
        self.device = device
        self.ignore = ignore
    }

    /// One change to make on this device.
    public enum Action: Sendable, Equatable {
        /// Make the disk match `entry` (create, replace or delete), then record it.
        case apply(IndexEntry)
        /// Rename the local version of the path to a conflict copy, then apply `entry`.
        case applyAfterConflictCopy(IndexEntry, loser: IndexEntry)
        /// The disk already matches; record the newer version.
        case adopt(IndexEntry)

        public var entry: IndexEntry {
            switch self {
            case .apply(let entry), .adopt(let entry), .applyAfterConflictCopy(let entry, _): entry
            }
        }
    }

    /// The changes to make, in an order that can be carried out: directories parents
    /// first, then files and links, then deletions children first.
    public func plan(local: [PathKey: IndexEntry], remote: [FolderIndex]) -> [Action] {
        var winners: [PathKey: IndexEntry] = [:]
        for index in remote {
            for entry in index.entries {
                winners[PathKey(entry.path)] = winners[PathKey(entry.path)].map { Self.winner($0, entry) } ?? entry
            }
        }
        var actions: [Action] = []
        for (path, remoteBest) in winners {
            if IgnoreRules.isControlPath(path.path) || ignore.isIgnored(path.path, isDirectory: remoteBest.kind == .directory) { continue }
            if let action = decide(local: local[path], remote: remoteBest) { actions.append(action) }
        }
        return actions.sorted(by: Self.executionOrder)
    }

    private func decide(local: IndexEntry?, remote: IndexEntry) -> Action? {
        guard let local else {
            return remote.deleted ? nil : .apply(remote)
        }
        switch remote.version.compare(local.version) {
        case .equal, .lesser:
            return nil
        case .greater:
            return local.hasSameContent(as: remote) ? .adopt(remote) : .apply(remote)
        case .concurrent:
            guard Self.winner(local, remote) != local else { return nil }
            var resolved = remote
            resolved.version = remote.version.merged(with: local.version)
            if local.hasSameContent(as: remote) { return .adopt(resolved) }
            if local.deleted { return .apply(resolved) }
            // An edit here is never undone by a concurrent deletion elsewhere.
            if remote.deleted { return nil }
            switch (local.kind, remote.kind) {
            case (.directory, .directory): return .apply(resolved)
            case (.directory, _): return nil
            default: return .applyAfterConflictCopy(resolved, loser: local)
            }
        }
    }

    /// Of two versions of one path, the one every device agrees to keep.
    public static func winner(_ a: IndexEntry, _ b: IndexEntry) -> IndexEntry {
        switch a.version.compare(b.version) {
        case .greater, .equal: return a
        case .lesser: return b
        case .concurrent:
            if a.deleted != b.deleted { return a.deleted ? b : a }
            if a.modifiedNanoseconds != b.modifiedNanoseconds { return a.modifiedNanoseconds > b.modifiedNanoseconds ? a : b }
            return a.modifiedBy >= b.modifiedBy ? a : b
        }
    }

    private static func executionOrder(_ a: Action, _ b: Action) -> Bool {
        let (x, y) = (a.entry, b.entry)
        let (rankX, rankY) = (rank(x), rank(y))
        if rankX != rankY { return rankX < rankY }
        return rankX == 2 ? x.path > y.path : x.path < y.path
    }

    private static func rank(_ entry: IndexEntry) -> Int {
        if entry.deleted { return 2 }
        return entry.kind == .directory ? 0 : 1
    }
}
