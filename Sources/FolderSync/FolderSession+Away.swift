import Content

/// A device away for longer than the folder's retention (docs/sync.md, "Away longer than
/// the retention"). The others stop waiting for it: they leave its index out of what they
/// merge and drop tombstones it has not seen. On its return it must therefore not publish
/// the files it last listed as they were — some are files the others deleted and have since
/// forgotten. Before it publishes again, it removes every file it has not changed since its
/// last publish that another device listed before and no present device lists now; each
/// stays a kept version (restorable for the retention), and the log and `sync status` say
/// how many.
extension FolderSession {
    /// Whether another device takes part in the folder now.
    enum Presence: Sendable {
        /// It published within `awayAfterMilliseconds` (its clock), or republished while this
        /// session watched (a device whose clock is far behind is not away).
        case present
        /// Its last record is old and this session has not watched it long enough to know:
        /// not merged, but its index still holds tombstones back.
        case undetermined
        /// Old, and silent for three republish intervals while this session watched.
        case away
    }

    /// The check a device back from an absence makes before it publishes.
    struct AwayCheck: Sendable {
        /// Paths the other devices listed live when this one last heard from them.
        var listedBefore: Set<PathKey>
    }

    /// How long the others wait for a silent device (ms).
    var awayAfterMilliseconds: Int64 { timing.awayAfterMilliseconds(retentionSeconds: retentionSeconds) }

    func presence(of device: RemoteIndex, now: ContinuousClock.Instant = .now) -> Presence {
        if Self.now() - device.publishedMilliseconds <= awayAfterMilliseconds { return .present }
        let watch = timing.republishInterval * 3
        if let advanced = device.lastAdvanced, now - advanced < watch { return .present }
        return now - device.firstRead < watch ? .undetermined : .away
    }

    /// The other devices' indexes whose presence is one of `kinds`.
    func indexes(_ kinds: Presence...) -> [FolderIndex] {
        let now = ContinuousClock.now
        return remote.values.filter { kinds.contains(presence(of: $0, now: now)) }.map(\.index)
    }

    /// Records changed entries, and that they changed since the last publish.
    func save(_ changed: [LocalEntry]) throws {
        try store.save(folder: folderID, changed)
        for entry in changed { changedSincePublish.insert(PathKey(entry.entry.path)) }
    }

    /// Starts the check when this device's last publish is older than nine tenths of the
    /// others' patience (their clocks may run ahead of this one), once per publish: what
    /// the others listed is taken from the indexes held in memory, or after a restart from
    /// the page cache of each device's last tree.
    func beginAwayCheckIfDue() throws {
        guard awayCheck == nil, !awayChecked, !onDemand, lastPublished > 0, Self.now() - lastPublished > awayAfterMilliseconds / 10 * 9
        else { return }
        var listed: Set<PathKey> = []
        if remote.isEmpty {
            for device in devices.keys {
                for plaintext in try store.indexPages(folder: folderID, device: device).values {
                    guard let page = try? IndexPage(decoding: plaintext), page.level == 0 else { continue }
                    for entry in page.entries where !entry.deleted { listed.insert(PathKey(entry.path)) }
                }
            }
        } else {
            for device in remote.values {
                for entry in device.index.entries where !entry.deleted { listed.insert(PathKey(entry.path)) }
            }
        }
        awayCheck = AwayCheck(listedBefore: listed)
        logger.notice("this folder's record was last published long ago: checking what the other devices deleted meanwhile before publishing")
    }

    /// After an absence, once the index of every device that may take part was read: removes
    /// the files this device left unchanged since its last publish that another device
    /// listed before and none lists now (live or deleted).
    func removeWhatWasDeletedWhileAway() async throws {
        guard let check = awayCheck, everyIndexRead else { return }
        let present = indexes(.present)
        guard !present.isEmpty else {
            // Nobody present: wait for devices not yet known to be away; none at all means
            // nobody could have deleted anything meanwhile.
            if indexes(.undetermined).isEmpty { (awayCheck, awayChecked) = (nil, true) }
            return
        }
        var listedNow: Set<PathKey> = []
        for index in present {
            for entry in index.entries { listedNow.insert(PathKey(entry.path)) }
        }
        // Children before parents, as deletions are applied.
        let forgotten = local.filter { path, current in
            !current.entry.deleted && !changedSincePublish.contains(path) && check.listedBefore.contains(path) && !listedNow.contains(path)
        }.sorted { $0.key.path > $1.key.path }
        let applier = try FileApplier(root: path, decoder: FileDecoder(source: network.chunkSource), logger: logger)
        var changed: [LocalEntry] = []
        for (path, current) in forgotten {
            if case .applied(let updated) = await applier.apply(current.entry.deletion(by: me), current: current, copySource: nil) {
                local[path] = updated
                changed.append(updated)
            }
        }
        applier.flush()
        try save(changed)
        (awayCheck, awayChecked) = (nil, true)
        removedOnReturn += changed.count
        guard !changed.isEmpty else { return }
        referencesStale = true
        needPublish = true
        logger.warning("""
            this device was away longer than the folder's retention: removed files the other devices deleted meanwhile \
            (each kept as a version: p2p sync versions)
            """, metadata: ["files": "\(changed.count)"])
    }
}
