extension FolderSession {
    /// Drops the tombstones of this device's index that every other device of the folder
    /// has seen (`Tombstones`) in every round for `timing.tombstoneDelay`, each round having
    /// read every device's index; the next publish leaves them out. Their file versions
    /// stay (kept for the retention, restorable).
    func dropSeenTombstones(now: ContinuousClock.Instant = .now) throws {
        guard everyIndexRead, pendingRemote == 0 else {
            tombstonesSeenSince = [:]
            return
        }
        let local = local.mapValues(\.entry)
        let seen = Tombstones.seenByEveryDevice(local: local, others: indexes(.present, .undetermined))
        tombstonesSeenSince = tombstonesSeenSince.filter { seen.contains($0.key) }
        for path in seen where tombstonesSeenSince[path] == nil { tombstonesSeenSince[path] = now }
        let due = tombstonesSeenSince.compactMap { now - $0.value >= timing.tombstoneDelay ? $0.key : nil }
        guard !due.isEmpty else { return }
        let floor = max(counterFloor, Tombstones.counterFloor(of: due.compactMap { local[$0] }))
        try store.dropTombstones(folder: folderID, paths: due.map(\.path), floor: floor)
        counterFloor = floor
        for path in due {
            self.local[path] = nil
            tombstonesSeenSince[path] = nil
        }
        tombstonesDropped += due.count
        needPublish = true
        logger.info("tombstones every device has seen dropped", metadata: ["paths": "\(due.count)"])
    }
}
