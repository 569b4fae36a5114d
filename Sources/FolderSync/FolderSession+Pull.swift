import Codecs
import Content
import FolderKeys
import Foundation

extension FolderSession {
    /// Fetches the other devices' records, loads the indexes that changed, and applies
    /// what the planner decides.
    func pullOnce() async throws {
        try beginAwayCheckIfDue()
        try await refreshRemoteIndexes()
        try await removeWhatWasDeletedWhileAway()
        let actions = SyncPlanner(device: me, ignore: ignoreRules()).plan(local: local.mapValues(\.entry), remote: indexes(.present))
        guard !actions.isEmpty else {
            pendingRemote = 0
            return
        }
        let applier = try FileApplier(root: path, decoder: FileDecoder(source: network.chunkSource), logger: logger)
        // Directories first (parents before children), then files and links in parallel,
        // then deletions (children before parents): the planner's order, in three phases.
        let directories = actions.prefix { !$0.entry.deleted && $0.entry.kind == .directory }
        let deletions = actions.reversed().prefix { $0.entry.deleted }.reversed()
        let files = actions[directories.endIndex..<(actions.endIndex - deletions.count)]
        var outcomes: [(IndexEntry, FileApplier.Outcome)] = []
        for action in directories {
            outcomes.append((action.entry, await perform(action, current: local[PathKey(action.entry.path)], copies: [:], applier: applier)))
        }
        let copies = localCopies()
        let current = local
        outcomes += try await Self.concurrently(Array(files), isSmall: { Self.isSmall($0.entry.size) }) { action in
            (action.entry, await self.perform(action, current: current[PathKey(action.entry.path)], copies: copies, applier: applier))
        }
        for action in deletions {
            outcomes.append((action.entry, await perform(action, current: local[PathKey(action.entry.path)], copies: [:], applier: applier)))
        }

        // Every rename is durable before the index says it happened.
        applier.flush()
        var changed: [LocalEntry] = []
        var unfinished = 0
        for (entry, outcome) in outcomes {
            switch outcome {
            case .applied(let updated):
                local[PathKey(entry.path)] = updated
                changed.append(updated)
            case .changedLocally:
                unfinished += 1
                poke(scan: true)
            case .failed(let reason):
                unfinished += 1
                // Retried every round; said once per path and reason.
                if reportedFailures.insert(entry.path + "\u{0}" + reason).inserted {
                    logger.warning("could not apply a remote change", metadata: [
                        "path": "\(entry.path)", "reason": "\(reason)", "device": "\(entry.modifiedBy.label)",
                    ])
                }
            }
        }
        try save(changed)
        if !changed.isEmpty { referencesStale = true }
        pendingRemote = unfinished
        if !changed.isEmpty {
            needPublish = true
            logger.info("applied remote changes", metadata: ["applied": "\(changed.count)", "unfinished": "\(unfinished)"])
        }
    }

    /// Carries out one action; safe to run beside actions on other paths.
    private nonisolated func perform(
        _ action: SyncPlanner.Action, current: LocalEntry?, copies: [String: FileApplier.CopySource], applier: FileApplier
    ) async -> FileApplier.Outcome {
        let entry = action.entry
        var current = current
        switch action {
        case .adopt:
            return .applied(LocalEntry(entry: entry, inode: current?.inode ?? 0))
        case .applyAfterConflictCopy(_, let loser):
            guard let recorded = current, applier.stat(entry.path)?.matches(loser, inode: recorded.inode) == true else {
                return .changedLocally
            }
            do {
                let copy = try applier.moveAside(loser)
                logger.notice("conflict: kept the losing version as a copy", metadata: ["path": "\(entry.path)", "copy": "\(copy)"])
                poke(scan: true)
            } catch {
                return .failed("\(error)")
            }
            current = nil
        case .apply:
            break
        }
        let source = entry.kind == .file ? copies[entry.capability] : nil
        return await applier.apply(entry, current: current, copySource: source)
    }

    /// Runs `body` over `items`, at most `limit` at a time; results in input order.
    /// `concurrently`, with the small items (`isSmall`) `smallFilesInParallel` at a time after
    /// the others `filesInParallel` at a time; results in the order of `items`.
    static func concurrently<Item: Sendable, Result: Sendable>(
        _ items: [Item], isSmall: (Item) -> Bool, _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        let small = items.indices.filter { isSmall(items[$0]) }
        let large = items.indices.filter { !isSmall(items[$0]) }
        var results = [Result?](repeating: nil, count: items.count)
        for (indices, limit) in [(large, filesInParallel), (small, smallFilesInParallel)] {
            let done = try await concurrently(indices.map { items[$0] }, limit: limit, body)
            for (index, result) in zip(indices, done) { results[index] = result }
        }
        return results.map { $0! }
    }

    static func concurrently<Item: Sendable, Result: Sendable>(
        _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results: [Result?] = Array(repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    /// Loads every device's index whose record is newer than the one held; ignores (and
    /// logs) records with a bad signature, an older sequence, or an announcement that
    /// does not open with this folder's key. Sets `everyIndexRead`.
    func refreshRemoteIndexes() async throws {
        let records = try await network.fetchRecords(key: token.recordKey)
        var unread = false
        // Devices already away when last heard of are not waited for (their indexes may
        // not be readable any more).
        let now = Self.now()
        defer {
            everyIndexRead = !unread && devices.values.allSatisfy {
                remote[$0.device] != nil || now - $0.publishedMilliseconds > awayAfterMilliseconds
            }
        }
        for record in records {
            let signer = Base32.encode(record.signer)
            if record.signer == deviceID {
                // This device's own latest record: a re-added folder (or a new home with the
                // same node key) continues after it, so the others keep seeing the device.
                if record.isValid, record.key == token.recordKey { try store.raiseSequence(folder: folderID, past: record.sequence) }
                continue
            }
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
            var announced: Int64?
            do {
                let announcement = try IndexAnnouncement(opening: record.payload, token: token, signer: record.signer)
                announced = announcement.publishedMilliseconds
                let (index, pages) = try await readIndex(announcement, device: record.signer, cached: true)
                for refusal in index.refused {
                    logger.warning("refused an entry of another device's index", metadata: [
                        "signer": "\(signer)", "path": "\(refusal.path.debugDescription)", "reason": "\(refusal.reason)",
                    ])
                }
                let held = remote[record.signer], read = ContinuousClock.now
                remote[record.signer] = RemoteIndex(
                    sequence: record.sequence, index: index, publishedMilliseconds: announcement.publishedMilliseconds,
                    firstRead: held?.firstRead ?? read, lastAdvanced: held == nil ? nil : read, pages: pages)
                seenSequence[record.signer] = record.sequence
                let device = FolderIndexStore.Device(
                    device: record.signer, sequence: record.sequence, indexCapability: announcement.indexName,
                    entryCount: index.entries.count, publishedMilliseconds: announcement.publishedMilliseconds,
                    seenMilliseconds: Self.now())
                devices[record.signer] = device
                try store.saveDevice(folder: folderID, device)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // One device's index that cannot be read now (malformed, or chunks no peer
                // serves) never holds up the others; it is tried again next round.
                if announced.map({ now - $0 <= awayAfterMilliseconds }) ?? true { unread = true }
                logger.warning("ignored a folder record", metadata: ["signer": "\(signer)", "error": "\(error)"])
            }
        }
    }

    /// The index an announcement points to, fetched and decoded within the size limits,
    /// and its tree's pages. With `cached`, a tree's read starts from the device's
    /// previous tree (in memory, or the page cache after a restart) and updates the cache.
    func readIndex(
        _ announcement: IndexAnnouncement, device: [UInt8], cached: Bool
    ) async throws -> (FolderIndex, [ChunkID: IndexTreeReader.HeldPage]) {
        switch announcement.location {
        case .wholeIndex(let capability):
            let index = try await readWholeIndex(capability)
            guard index.device == device else {
                throw FolderSyncError.malformed(what: "folder index", reason: "announced by another device")
            }
            return (index, [:])
        case .pages(let root):
            var reader = IndexTreeReader(source: network.chunkSource, cipher: cipher)
            if cached {
                reader.held = remote[device]?.pages ?? [:]
                if reader.held.isEmpty { reader.cached = try store.indexPages(folder: folderID, device: device) }
            }
            let result = try await reader.read(root: root, device: device)
            if cached {
                try store.replaceIndexPages(folder: folderID, device: device, tree: Set(result.pages.keys), added: result.fetched)
            }
            indexPagesFetched += result.fetched.count
            indexBytesFetched += result.fetchedBytes
            if result.damagedInCache > 0 {
                logger.warning("damaged pages in the index page cache were fetched again", metadata: [
                    "signer": "\(Base32.encode(device))", "pages": "\(result.damagedInCache)",
                ])
            }
            logger.debug("read a folder index tree", metadata: [
                "signer": "\(Base32.encode(device))", "pages": "\(result.pages.count)", "fetched": "\(result.fetched.count)",
                "bytes": "\(result.fetchedBytes)",
            ])
            return (result.index, result.pages)
        }
    }

    /// A whole index stored as a file (announcement version 1, from earlier devices).
    private func readWholeIndex(_ text: String) async throws -> FolderIndex {
        let decoder = FileDecoder(source: network.chunkSource)
        let capability: Capability
        do {
            capability = try Capability(parsing: text)
        } catch {
            throw FolderSyncError.malformed(what: "index announcement", reason: "\(error)")
        }
        let size = try await decoder.info(capability).size
        guard size <= FolderIndex.maxEncodedSize else {
            throw FolderSyncError.malformed(what: "folder index", reason: "\(size) bytes is over the limit of \(FolderIndex.maxEncodedSize)")
        }
        return try FolderIndex(decoding: try await decoder.read(capability))
    }

    /// For each capability present here unchanged, a path holding it: a rename or a copy
    /// elsewhere is then written from the local file, not downloaded.
    private func localCopies() -> [String: FileApplier.CopySource] {
        var copies: [String: FileApplier.CopySource] = [:]
        for (relative, local) in local where !local.entry.deleted && local.entry.kind == .file {
            copies[local.entry.capability] = FileApplier.CopySource(path: relative.path, recorded: local)
        }
        return copies
    }
}
