/// When a deleted path's tombstone may leave this device's index (docs/sync.md,
/// "Tombstones"). Pure: no disk, no network, no clock.
///
/// A tombstone exists so that a device still holding the path's older version deletes it
/// instead of sending it back. Once no other device's index holds the path live, there is no
/// such device among those the folder knows: each has applied the deletion (its own
/// tombstone, or none left) or never had the path. A device whose pull ran after this one's
/// and that holds the path live at a newer or concurrent version has already won (the pull
/// applied it), so a live entry left in another index is one that has not seen the deletion.
public enum Tombstones {
    /// This device's tombstones that no index of `others` holds live.
    public static func seenByEveryDevice(local: [PathKey: IndexEntry], others: [FolderIndex]) -> Set<PathKey> {
        var droppable = Set(local.compactMap { $0.value.deleted ? $0.key : nil })
        guard !droppable.isEmpty else { return [] }
        for index in others {
            for entry in index.entries where !entry.deleted {
                droppable.remove(PathKey(entry.path))
            }
        }
        return droppable
    }

    /// The highest counter in the versions of `dropped`: a path created again after its
    /// tombstone is gone starts above it, so its first version is never older than the
    /// deletion another device may still hold.
    public static func counterFloor(of dropped: some Sequence<IndexEntry>) -> UInt64 {
        dropped.reduce(0) { floor, entry in max(floor, entry.version.counters.map(\.value).max() ?? 0) }
    }
}
