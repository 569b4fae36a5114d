import APIModel
import Codecs
import Content
import FolderKeys
import Foundation
import Logging
import OpenSSLKit
import Synchronization
import Workers

/// Keeps one local folder and the network in agreement: scans for local changes and
/// publishes this device's index; pulls the other devices' indexes and applies what the
/// planner decides. One loop does the work, so a scan and an apply never interleave.
public actor FolderSession {
    public let path: String
    let folderID: String
    let token: FolderToken
    let network: any SyncNetwork
    let store: FolderIndexStore
    let timing: SyncTiming
    let logger: Logger
    /// How long versions no longer current are kept (seconds).
    let retentionSeconds: Int
    /// Followed on demand: the other devices' indexes are read and merged (`mergedTree`);
    /// nothing is scanned, written to `path`, published or referenced.
    let onDemand: Bool
    /// This device's key in this folder (`SyncNetwork.deviceKey`) and its public half.
    let deviceKey: Ed25519PrivateKey
    let deviceID: [UInt8]
    let me: DeviceShortID
    let chunks: StoredChunks
    let cipher: ConvergentCipher
    /// Keys where this folder's index pages end (`IndexTreeBuilder.seed`).
    let pageSeed: UInt64

    var local: [PathKey: LocalEntry]
    /// This device's own last published entries, when the folder was added again with an
    /// empty index: the base of the versions its scan makes, so edits made after a re-add
    /// are newer than what the others hold (never a deletion of what is not on disk).
    var inherited: [PathKey: IndexEntry] = [:]
    /// Apply failures already logged (path and reason), so a retried one is said once.
    var reportedFailures: Set<String> = []
    /// Whether the own record was looked for (once per session, when `local` is empty).
    var lookedForOwnRecord = false
    var remote: [[UInt8]: RemoteIndex] = [:]
    /// Whether the last refresh read the index of every device this one knows (this
    /// session): only then may tombstones leave the index (`dropSeenTombstones`).
    var everyIndexRead = false
    /// Paths created here start their version above this counter (`Tombstones.counterFloor`).
    var counterFloor: UInt64
    /// Tombstones dropped from this device's index in this session.
    var tombstonesDropped = 0
    /// When this device last published its record (ms): one silent for longer than the
    /// others wait checks, before it publishes again, what they deleted meanwhile
    /// (`FolderSession+Away`).
    var lastPublished: Int64
    /// That check, while it is due, and whether it was made since the last publish.
    var awayCheck: AwayCheck?
    var awayChecked = false
    /// Paths this device changed (scanned, applied, restored) since its last publish.
    var changedSincePublish: Set<PathKey> = []
    /// Files removed here on returning from away, in this session.
    var removedOnReturn = 0
    /// Since when each tombstone has been seen by every known device, round after round.
    var tombstonesSeenSince: [PathKey: ContinuousClock.Instant] = [:]
    var seenSequence: [[UInt8]: UInt64] = [:]
    var devices: [[UInt8]: FolderIndexStore.Device] = [:]
    var watcher: FolderWatcher?

    var state: FolderStatus.State = .starting {
        didSet { shown.withLock { $0?.state = state } }
    }
    /// What `status()` answers, refreshed after each round, so asking never waits for a
    /// long scan or apply.
    private let shown = Mutex<FolderStatus?>(nil)
    var lastError: String?
    /// Why the last scan failed: kept until a scan succeeds, so a folder that cannot be
    /// scanned (its marker gone, a directory unreadable) shows `error` between scans too.
    var scanFailure: String?
    /// Whether that failure is the folder's marker missing: then every round looks again
    /// (one `lstat`), and nothing is pulled into the folder until it is back.
    var markerMissing = false
    var pendingRemote = 0
    var needPublish = true
    var lastLocalChange: Int64 = 0
    /// Index pages this device stored in the network (new ones only) and their bytes.
    var indexPagesPublished = 0
    var indexBytesPublished = 0
    /// Pages of other devices' indexes fetched from the network, and their bytes.
    var indexPagesFetched = 0
    var indexBytesFetched = 0
    /// Callers of `rescan()` waiting for the next scan of the loop to start.
    var rescanWaiters: [CheckedContinuation<Duration, any Error>] = []
    /// Callers of `restore` waiting for the loop.
    var restoreRequests: [RestoreRequest] = []
    /// The versions this device holds references on (loaded from the network's ledger once).
    var referenced: Set<String>?
    /// Whether the references may not match what the folder keeps (entries saved since).
    var referencesStale = true

    private let flags = Mutex(Flags())
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    struct Flags {
        var scan = true
        var pull = true
        var publish = false
    }

    /// Another device's index, as last fetched.
    struct RemoteIndex: Sendable {
        var sequence: UInt64
        var index: FolderIndex
        /// When the device published it (ms since 1970, its clock), when this session first
        /// read one of its records, and when it last saw a newer one: together, whether the
        /// device is away (`FolderSession+Away`).
        var publishedMilliseconds: Int64
        var firstRead: ContinuousClock.Instant
        var lastAdvanced: ContinuousClock.Instant?
        /// Its tree's pages, where the next version's read starts (empty for a whole index).
        var pages: [ChunkID: IndexTreeReader.HeldPage] = [:]
    }

    public init(
        path: String, folderID: String, token: FolderToken, network: any SyncNetwork, store: FolderIndexStore,
        timing: SyncTiming, retentionSeconds: Int = FolderAPIDocuments.defaultRetentionSeconds, onDemand: Bool = false,
        logger: Logger
    ) throws {
        self.path = path
        self.onDemand = onDemand
        self.retentionSeconds = retentionSeconds
        self.folderID = folderID
        self.token = token
        self.network = network
        self.store = store
        self.timing = timing
        var logger = logger
        logger[metadataKey: "folder"] = "\(folderID)"
        self.logger = logger
        self.deviceKey = try network.deviceKey(context: token.recordKey)
        self.deviceID = deviceKey.publicKey.rawRepresentation
        self.me = DeviceShortID(deviceID: deviceID)
        self.cipher = try ConvergentCipher(convergenceSecret: token.convergenceSecret)
        self.pageSeed = IndexTreeBuilder.seed(convergenceSecret: token.convergenceSecret)
        self.chunks = StoredChunks(network: network.chunkSink, known: try store.storedChunks())
        self.local = try store.entries(folder: folderID)
        self.counterFloor = try store.counterFloor(folder: folderID)
        self.lastPublished = try store.lastPublished(folder: folderID)
        for device in try store.devices(folder: folderID) {
            seenSequence[device.device] = device.sequence
            devices[device.device] = device
        }
    }

    /// Runs until the task is cancelled. The change subscription and the poll worker
    /// (`FolderPoll`) are child tasks of this one: cancelling it ends them, and it returns only once they ended.
    public func run() async {
        if !onDemand { watcher = FolderWatcher(root: path, logger: logger) { [weak self] in self?.poke(scan: true) } }
        defer {
            watcher?.stop()
            for waiter in rescanWaiters { waiter.resume(throwing: CancellationError()) }
            rescanWaiters = []
            for request in restoreRequests { request.waiter.resume(throwing: CancellationError()) }
            restoreRequests = []
        }
        await withDiscardingTaskGroup { group in
            group.addTask { [network, token, weak self] in
                for await _ in network.subscribe(key: token.recordKey) { self?.poke(pull: true) }
            }
            let poll = FolderPoll(timing: timing) { [weak self] scan, pull, publish in self?.poke(scan: scan, pull: pull, publish: publish) }
            group.addTask { [logger] in await WorkerRunner(poll).run(board: WorkerBoard(), metrics: nil, logger: logger) }
            poke(scan: true, pull: true)
            for await _ in wake.stream {
                if Task.isCancelled { break }
                try? await Task.sleep(for: timing.debounce)
                let work = flags.withLock { flags in
                    defer { flags = Flags(scan: false, pull: false, publish: false) }
                    return flags
                }
                if work.publish { needPublish = true }
                await step(scan: work.scan, pull: work.pull)
            }
            group.cancelAll()
        }
    }

    /// Asks the loop to scan, pull and/or republish soon.
    public nonisolated func poke(scan: Bool = false, pull: Bool = false, publish: Bool = false) {
        flags.withLock { flags in
            flags.scan = flags.scan || scan
            flags.pull = flags.pull || pull
            flags.publish = flags.publish || publish
        }
        wake.continuation.yield()
    }

    /// One round of work; also what tests drive directly.
    func step(scan: Bool, pull: Bool) async {
        if onDemand { return await followOnce() }
        let restores = await performRestores()
        defer {
            for (request, outcome) in restores { request.waiter.resume(with: outcome) }
        }
        do {
            if scan || markerMissing || !restores.isEmpty {
                state = .scanning
                do {
                    try await timedScan()
                    scanFailure = nil
                    markerMissing = false
                } catch let error as FolderSyncError {
                    scanFailure = "\(error)"
                    // A folder whose disk is not mounted gets nothing written into it.
                    markerMissing = !FolderScanner(root: path, ignore: .none).hasMarker
                    if markerMissing { throw error }
                }
            }
            if pull {
                state = .syncing
                try await pullOnce()
                try dropSeenTombstones()
            }
            if needPublish {
                try await publishOnce()
            }
            do {
                try await maintainVersions()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("could not update the references of the folder's versions; retrying next round", metadata: ["error": "\(error)"])
            }
            state = scanFailure == nil ? .idle : .error
            lastError = scanFailure
        } catch is CancellationError {
            return
        } catch {
            state = .error
            lastError = "\(error)"
            logger.warning("sync round failed; retrying at the next poll", metadata: ["error": "\(error)"])
        }
        refreshStatus()
    }

    /// Asks the loop for a full scan and waits for it: a scan that starts after this call,
    /// so it sees every change made before. Returns how long the scan took (walking the
    /// tree, storing changed files, saving the index), not the time spent waiting for it.
    public func rescan() async throws -> Duration {
        try await withCheckedThrowingContinuation { waiter in
            rescanWaiters.append(waiter)
            poke(scan: true)
        }
    }

    /// `scanOnce`, answering the `rescan()` callers that were waiting when it started.
    private func timedScan() async throws {
        let waiters = rescanWaiters
        rescanWaiters = []
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await scanOnce()
        } catch {
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
        let elapsed = clock.now - start
        refreshStatus()
        for waiter in waiters { waiter.resume(returning: elapsed) }
        logger.debug("scanned", metadata: ["seconds": "\(elapsed)", "entries": "\(local.count)"])
    }

    /// The folder's status as of the last round (and the current state).
    public nonisolated func status() -> FolderStatus {
        shown.withLock { $0 } ?? FolderStatus(
            path: path, folderID: folderID, deviceID: Base32.encode(deviceID), state: .starting, files: 0, bytes: 0, pending: 0,
            conflicts: [], devices: [],
            lastError: nil, lastLocalChangeMilliseconds: 0)
    }

    func refreshStatus() {
        var files = 0
        var bytes: UInt64 = 0
        var conflicts: [String] = []
        var tombstones = 0
        for (path, local) in local {
            if local.entry.deleted {
                tombstones += 1
                continue
            }
            if local.entry.kind == .file {
                files += 1
                bytes = bytes.addingReportingOverflow(local.entry.size).overflow ? .max : bytes + local.entry.size
            }
            if ConflictName.isConflictCopy(path.path) { conflicts.append(path.path) }
        }
        var status = FolderStatus(
            path: path, folderID: folderID, deviceID: Base32.encode(deviceID), state: state, files: files, bytes: bytes,
            pending: pendingRemote + (needPublish ? 1 : 0), conflicts: conflicts.sorted(),
            devices: devices.values.sorted { $0.device.lexicographicallyPrecedes($1.device) }.map {
                FolderStatus.Device(
                    id: Base32.encode($0.device), sequence: $0.sequence, entries: $0.entryCount,
                    lastChangeMilliseconds: $0.publishedMilliseconds)
            },
            lastError: lastError, lastLocalChangeMilliseconds: lastLocalChange)
        status.tombstones = tombstones
        status.tombstonesDropped = tombstonesDropped
        status.removedOnReturn = removedOnReturn
        shown.withLock { $0 = status }
    }

    /// Files stored or applied at once: a small file's cost is mostly round trips to its
    /// replicas, so many in flight keep the network and the disks busy.
    static let filesInParallel = 24
    /// Small files (one inlined chunk at most, `isSmall`) and index pages at once: they hold
    /// little memory each, so more of them keep the two round trips of each busy.
    /// 20,000 files of 64 B: stored at 1,350–1,450 files/s 24 at a time, 1,700–1,870 at 64,
    /// 1,820 at 128 (both cores busy; docs/benchmarks.md).
    static let smallFilesInParallel = 64

    static func isSmall(_ size: UInt64) -> Bool { size <= UInt64(FileEncoder.defaultInlineLimit) }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
