import Codecs
import Foundation
import GRDB
import Logging
import OpenSSLKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Content-addressed chunk storage: chunk bytes appended to segment files, metadata in SQLite.
///
/// One `ChunkStore` owns one root directory (see `ChunkLayout` and `docs/storage.md`) and holds
/// an exclusive lock on it while open. It is safe to call from any number of threads or tasks at
/// once:
/// - `get` looks the chunk up on a concurrent WAL reader, reads it with `pread` and hashes it on
///   the caller's thread, so reads scale with cores and disks;
/// - `put` hashes on the caller's thread, then joins a group commit (`GroupCommit`): the chunks
///   of every put waiting at that moment are appended to the active segment, made durable with
///   one `fdatasync` and indexed in one SQLite transaction, and every one of those puts
///   returns only then;
/// - metadata reads use the `DatabasePool`'s concurrent WAL readers.
/// Tests may keep the index in memory instead (`ChunkStoreConfiguration.indexInMemory`).
///
/// The blocking methods block on disk I/O: call them from a thread pool (e.g. `NIOThreadPool`)
/// rather than from an event loop; `put(_:_:) async` suspends instead while its batch commits.
public final class ChunkStore: Sendable {
    struct Accounting {
        var used: UInt64 = 0
        var count = 0
        /// Bytes of puts in flight, reserved so concurrent puts cannot overshoot capacity together.
        var reserved: UInt64 = 0
    }

    let layout: ChunkLayout
    let configuration: ChunkStoreConfiguration
    let logger: Logger
    /// A `DatabasePool` (WAL) on `layout.database`; a `DatabaseQueue` in memory for tests
    /// (`ChunkStoreConfiguration.indexInMemory`).
    let database: any DatabaseWriter
    let accounting = Mutex(Accounting())
    let segments: Segments
    /// Where the committer assembles a batch for direct I/O.
    let staging = Mutex(StagingBuffer())
    let temporaryCounter = Atomic<UInt64>(0)
    private let lockDescriptor: Int32
    let isClosed = Atomic<Bool>(false)
    /// Held by a group commit from its presence check to its index transaction, by each step
    /// of a sweep or a compaction, and by every other removal of a row (`delete`, a read that
    /// found the bytes gone or damaged): what a batch found stored stays stored until its
    /// leases are in, and the rows a compaction step copies stay put until it moves them.
    let writeSerial = Mutex(())
    /// Held by a whole `compact` call: one compaction at a time.
    let compactionSerial = Mutex(())
    /// Called by compaction after each of its durable steps, under `writeSerial`; a test
    /// throws from it to stop a compaction there, as a crash would.
    let compactionHook = Mutex<(@Sendable (CompactionStage) throws(ChunkStoreError) -> Void)?>(nil)
    /// Set once the store is fully open; puts go through it.
    private let committer = Mutex<GroupCommit?>(nil)
    /// Transactions committed with `synchronous = FULL` (`durableWrite`), for tests and diagnostics.
    public var durableCommits: Int { durableCommitCount.load(ordering: .relaxed) }
    let durableCommitCount = Atomic<Int>(0)
    /// Group commits so far: each is one append, one `fdatasync` and one index transaction
    /// for all the chunks it holds (for tests and diagnostics).
    public var commitBatches: Int { committer.withLock { $0?.batches ?? 0 } }

    /// Opens (creating if needed) the store at `root` with the given capacity in bytes.
    public convenience init(root: String, capacity: UInt64, logger: Logger) throws(ChunkStoreError) {
        try self.init(root: root, configuration: ChunkStoreConfiguration(capacity: capacity), logger: logger)
    }

    /// Opens (creating if needed) the store at `root`: takes the lock, migrates the schema,
    /// removes leftover temp files, indexes or cuts the unindexed tails of segments, and moves
    /// the chunk files of an older layout into segments.
    public init(root: String, configuration: ChunkStoreConfiguration, logger: Logger) throws(ChunkStoreError) {
        let layout = ChunkLayout(root: root)
        do {
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        } catch {
            throw ChunkStoreError(.io, path: layout.root, detail: "cannot create root", underlying: error)
        }
        let lockDescriptor = try FileSystem.lockExclusively(layout.lock)
        do throws(ChunkStoreError) {
            for directory in [layout.segments, layout.temporary, layout.quarantine] {
                try FileSystem.makeDirectory(directory)
            }
            try FileSystem.syncDirectory(layout.root)
            self.database = try Self.openDatabase(layout: layout, configuration: configuration)
        } catch {
            FileSystem.unlock(lockDescriptor)
            throw error
        }
        self.layout = layout
        self.configuration = configuration
        self.logger = logger
        self.lockDescriptor = lockDescriptor
        self.segments = Segments(directory: layout.segments, limit: configuration.segmentSize)
        // Fully initialized from here: if recovery throws, deinit closes the database and the lock.
        try recover()
        let commit = GroupCommit(maximumBatchBytes: configuration.maximumBatchBytes) { [weak self] batch in
            guard let self else {
                return batch.map { _ in .failure(ChunkStoreError(.io, path: layout.root, detail: "store is closed")) }
            }
            return self.commitBatch(batch)
        }
        committer.withLock { $0 = commit }
    }

    deinit {
        if !isClosed.load(ordering: .acquiring) {
            try? database.close()
            FileSystem.unlock(lockDescriptor)
        }
    }

    /// Marks a clean shutdown, closes the database and releases the lock. Further calls fail;
    /// calling `close` twice is harmless.
    public func close() throws(ChunkStoreError) {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        defer { FileSystem.unlock(lockDescriptor) }
        try withDatabase("close") {
            try database.write { db in try MetaRecord.set(db, MetaRecord.Key.cleanShutdown, to: "1") }
            try database.close()
        }
    }

    // MARK: Chunks

    /// Stores a chunk and takes `leases` on it (docs/gc.md). Refuses bytes that do not hash
    /// to `id` (`.hashMismatch`) and puts that would exceed capacity (`.full`). When it
    /// returns, the chunk survives a crash or power cut, and no sweep collects it before its
    /// leases end. Without leases, a new chunk gets a provisional one
    /// (`ChunkStoreConfiguration.provisionalLease`) and a stored one is left as it is.
    /// Blocks the calling thread while its batch commits.
    @discardableResult
    public func put(_ id: StoredChunkID, _ bytes: [UInt8], leases: [ChunkLease] = []) throws(ChunkStoreError) -> PutOutcome {
        guard let (reserved, commit) = try prepare(id, bytes, leases: leases) else { return .alreadyPresent }
        return try settle(reserved, size: bytes.count, commit.submitAndWait(id: id, bytes: bytes, leases: leases))
    }

    /// `put(_:_:leases:)` that suspends, rather than blocks, while its batch commits.
    @discardableResult
    public func put(_ id: StoredChunkID, _ bytes: [UInt8], leases: [ChunkLease] = []) async throws(ChunkStoreError) -> PutOutcome {
        try await put(id, bytes, leases: leases, hashing: true)
    }

    /// `put` of a chunk whose id this process has just computed from these very bytes (the
    /// encoder's seal), without hashing them again: one SHA-256 pass less per chunk on the
    /// peer that encodes. Bytes from anywhere else — the network, a file — go through `put`.
    /// Reads verify either way.
    @discardableResult
    public func putSealed(_ id: StoredChunkID, _ bytes: [UInt8], leases: [ChunkLease] = []) async throws(ChunkStoreError) -> PutOutcome {
        try await put(id, bytes, leases: leases, hashing: false)
    }

    private func put(_ id: StoredChunkID, _ bytes: [UInt8], leases: [ChunkLease], hashing: Bool) async throws(ChunkStoreError) -> PutOutcome {
        guard let (reserved, commit) = try prepare(id, bytes, leases: leases, hashing: hashing) else { return .alreadyPresent }
        return try settle(reserved, size: bytes.count, await commit.submit(id: id, bytes: bytes, leases: leases))
    }

    /// The checks before a put joins a batch: hash, presence, capacity (reserved for a chunk
    /// not stored yet). Nil when there is nothing to do: the chunk is stored and no lease
    /// comes with it. A stored chunk with leases still joins a batch: its leases are taken
    /// in the batch's transaction, serialized with sweeps, so one that a sweep removes
    /// meanwhile is written again rather than acknowledged and lost.
    private func prepare(
        _ id: StoredChunkID, _ bytes: [UInt8], leases: [ChunkLease], hashing: Bool = true
    ) throws(ChunkStoreError) -> (reserved: UInt64, GroupCommit)? {
        try checkOpen()
        if hashing {
            let digest = SHA256.hash(bytes)
            guard digest == id.bytes else {
                throw ChunkStoreError(.hashMismatch, chunk: id, detail: "bytes hash to \(Hex.encode(digest))")
            }
        }
        let present = try placement(of: id) != nil
        if present && leases.isEmpty { return nil }
        configuration.afterPresenceCheck?(id, present)
        guard let commit = committer.withLock({ $0 }) else {
            throw ChunkStoreError(.io, path: layout.root, detail: "store is not open")
        }
        let reserved = present ? 0 : UInt64(bytes.count)
        if !present { try reserve(reserved, for: id) }
        return (reserved, commit)
    }

    /// Releases a put's reservation and counts the chunk if its batch stored it.
    private func settle(
        _ reserved: UInt64, size: Int, _ result: Result<PutOutcome, ChunkStoreError>
    ) throws(ChunkStoreError) -> PutOutcome {
        let stored = (try? result.get()) == .stored
        accounting.withLock { totals in
            totals.reserved -= reserved
            if stored {
                totals.used += UInt64(size)
                totals.count += 1
            }
        }
        return try result.get()
    }

    /// Reads a chunk and verifies that its bytes hash to `id`.
    ///
    /// Throws `.notFound` when the chunk is not here, and `.corrupt` when its bytes failed
    /// verification; they were then copied to `quarantine/` and the row removed, so callers
    /// treat both as missing (`error.isMissing`) and fetch a replica. A chunk that compaction
    /// moved while it was being read is read again at its new place.
    public func get(_ id: StoredChunkID) throws(ChunkStoreError) -> [UInt8] {
        try checkOpen()
        guard let place = try placement(of: id) else {
            throw ChunkStoreError(.notFound, chunk: id)
        }
        return try readFollowingMoves(id, from: place)
    }

    /// Removes a chunk (its row and its hints). Returns false if it was not stored. Its bytes
    /// stay in their segment, as dead space, until the segment is compacted.
    @discardableResult
    public func delete(_ id: StoredChunkID) throws(ChunkStoreError) -> Bool {
        try checkOpen()
        let removed = try writeSerial.withLock { _ throws(ChunkStoreError) -> Bool in try removeRow(id) != nil }
        if removed { logger.debug("deleted chunk", metadata: ["chunk": "\(id.hex)"]) }
        return removed
    }

    /// Where a chunk's bytes are on disk (for diagnostics and tests), or nil when not stored.
    public func location(of id: StoredChunkID) throws(ChunkStoreError) -> ChunkLocation? {
        try checkOpen()
        return try placement(of: id).map { place in
            ChunkLocation(
                path: segments.path(place.segment), offset: place.offset + UInt64(SegmentRecord.headerSize),
                length: place.size)
        }
    }

    /// Current space accounting.
    public var usage: ChunkStoreUsage {
        accounting.withLock { ChunkStoreUsage(used: $0.used, capacity: configuration.capacity, count: $0.count) }
    }
}
