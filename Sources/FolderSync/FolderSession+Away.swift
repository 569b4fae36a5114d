import Content
import Records

/// A device away for longer than the folder's retention (docs/sync.md, "Away longer than
/// the retention"). The others stop waiting for it: they leave its index out of what they
/// merge and drop tombstones it has not seen. On its return it must therefore not publish
/// the files it last listed as they were — some are files the others deleted and have since
/// forgotten. It removes, before its first publish, every file it has not changed since its
/// last record and that no present device's index lists at all; each stays a kept version
/// (restorable for the retention), and the log and `sync status` say how many.
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

    /// Notes this device's own latest record: one older than nine tenths of the others'
    /// patience (their clocks may run ahead of this one) means this device was away.
    func noticeReturnFromAway(_ own: SignedRecord) {
        guard !onDemand, let announcement = try? IndexAnnouncement(opening: own.payload, token: token, signer: deviceID) else { return }
        let age = Self.now() - announcement.publishedMilliseconds
        returnedFromAway = age > awayAfterMilliseconds / 10 * 9 ? own : nil
    }

    /// After an absence: removes the files this device left unchanged since its last record
    /// that no present device lists (live or deleted). Throws, so that nothing is published,
    /// while its last record cannot be read; after three rounds it says so and goes on.
    func removeWhatWasDeletedWhileAway() async throws {
        guard let own = returnedFromAway else { return }
        let present = indexes(.present)
        guard !present.isEmpty else { return }  // alone: nobody to have deleted anything
        let published: FolderIndex
        do {
            let announcement = try IndexAnnouncement(opening: own.payload, token: token, signer: deviceID)
            published = try await readIndex(announcement, device: deviceID, cached: false).0
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            awayReadFailures += 1
            guard awayReadFailures >= 3 else { throw error }
            logger.error("""
                this device was away longer than the folder's retention and cannot read its last index: files the other \
                devices deleted meanwhile may come back
                """, metadata: ["error": "\(error)"])
            returnedFromAway = nil
            return
        }
        var listed: Set<PathKey> = []
        for index in present {
            for entry in index.entries { listed.insert(PathKey(entry.path)) }
        }
        // Children before parents, as deletions are applied.
        let forgotten = published.entries.filter { entry in
            !entry.deleted && !listed.contains(PathKey(entry.path)) && local[PathKey(entry.path)]?.entry.version == entry.version
        }.sorted { $0.path > $1.path }
        let applier = try FileApplier(root: path, decoder: FileDecoder(source: network.chunkSource), logger: logger)
        var changed: [LocalEntry] = []
        for entry in forgotten {
            guard let current = local[PathKey(entry.path)] else { continue }
            if case .applied(let updated) = await applier.apply(current.entry.deletion(by: me), current: current, copySource: nil) {
                local[PathKey(entry.path)] = updated
                changed.append(updated)
            }
        }
        applier.flush()
        try store.save(folder: folderID, changed)
        returnedFromAway = nil
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
