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

/// Content-addressed chunk storage: chunk bytes in files, metadata in SQLite.
///
/// One `ChunkStore` owns one root directory (see `ChunkLayout` and `docs/storage.md`) and holds
/// an exclusive lock on it while open. It is safe to call from any number of threads or tasks at
/// once, and does not funnel work through a single queue or actor:
/// - `get` reads and hashes the file on the caller's thread and touches SQLite only when it finds
///   a problem, so reads scale with cores and disks;
/// - `put` hashes, writes and syncs its temp file on the caller's thread in parallel with other
///   puts; only publication (rename, directory sync, index row) takes a per-id stripe lock,
///   and the index row goes through SQLite's single writer (a short transaction);
/// - metadata reads use the `DatabasePool`'s concurrent WAL readers.
///
/// Every method blocks on disk I/O: call them from a thread pool (e.g. `NIOThreadPool`) rather
/// than from an event loop.
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
    let database: DatabasePool
    let accounting = Mutex(Accounting())
    let stripes = StripedLock()
    /// Directories known to exist durably: leaves by `ChunkLayout.directoryIndex`, outer ones as 65536 + first byte.
    let durableDirectories = Mutex(Set<Int>())
    let temporaryCounter = Atomic<UInt64>(0)
    private let lockDescriptor: Int32
    let isClosed = Atomic<Bool>(false)
    /// Transactions committed with `synchronous = FULL` (`durableWrite`), for tests and diagnostics.
    public var durableCommits: Int { durableCommitCount.load(ordering: .relaxed) }
    let durableCommitCount = Atomic<Int>(0)

    /// Opens (creating if needed) the store at `root` with the given capacity in bytes.
    public convenience init(root: String, capacity: UInt64, logger: Logger) throws(ChunkStoreError) {
        try self.init(root: root, configuration: ChunkStoreConfiguration(capacity: capacity), logger: logger)
    }

    /// Opens (creating if needed) the store at `root`: takes the lock, migrates the schema,
    /// removes leftover temp files and, after an unclean shutdown, reconciles files and index.
    public init(root: String, configuration: ChunkStoreConfiguration, logger: Logger) throws(ChunkStoreError) {
        let layout = ChunkLayout(root: root)
        do {
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        } catch {
            throw ChunkStoreError(.io, path: layout.root, detail: "cannot create root", underlying: error)
        }
        let lockDescriptor = try FileSystem.lockExclusively(layout.lock)
        do throws(ChunkStoreError) {
            for directory in [layout.chunks, layout.temporary, layout.quarantine] {
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
        // Fully initialized from here: if recovery throws, deinit closes the database and the lock.
        try recover()
    }

    deinit {
        if !isClosed.load(ordering: .acquiring) {
            try? database.close()
            FileSystem.unlock(lockDescriptor)
        }
    }

    /// Marks a clean shutdown (so the next open skips reconciliation), closes the database and
    /// releases the lock. Further calls fail; calling `close` twice is harmless.
    public func close() throws(ChunkStoreError) {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        defer { FileSystem.unlock(lockDescriptor) }
        try withDatabase("close") {
            try database.write { db in try MetaRecord.set(db, MetaRecord.Key.cleanShutdown, to: "1") }
            try database.close()
        }
    }

    // MARK: Chunks

    /// Stores a chunk. Refuses bytes that do not hash to `id` (`.hashMismatch`) and puts that
    /// would exceed capacity (`.full`). When it returns, the chunk survives a crash or power cut.
    @discardableResult
    public func put(_ id: StoredChunkID, _ bytes: [UInt8]) throws(ChunkStoreError) -> PutOutcome {
        try checkOpen()
        let digest = SHA256.hash(bytes)
        guard digest == id.bytes else {
            throw ChunkStoreError(.hashMismatch, chunk: id, detail: "bytes hash to \(Hex.encode(digest))")
        }
        let path = layout.path(id)
        if try isIndexed(id), let identity = try FileSystem.identity(path), identity.size == bytes.count {
            return .alreadyPresent
        }
        let size = UInt64(bytes.count)
        try reserve(size, for: id)
        var reservationHeld = true
        defer { if reservationHeld { release(size) } }

        try ensureDirectory(for: id)
        let temporary = temporaryPath(for: id)
        try DurableFile.create(temporary, contents: bytes)
        let inserted = try stripes.withLock(for: id) { () throws(ChunkStoreError) -> Bool in
            do throws(ChunkStoreError) {
                try FileSystem.move(temporary, to: path)
            } catch {
                FileSystem.removeIfPresent(temporary)
                throw error
            }
            try FileSystem.syncDirectory(layout.directory(id))
            let record = ChunkRecord(id: id, size: Int64(size), storedAt: configuration.clock())
            let inserted: Bool
            do throws(ChunkStoreError) {
                inserted = try withDatabase("index chunk", chunk: id) {
                    try database.write { db in
                        try record.insert(db, onConflict: .ignore)
                        return db.changesCount > 0
                    }
                }
            } catch {
                // Unindexed files must not linger uncounted; the chunk is simply not stored.
                if (try? isIndexed(id)) == false { FileSystem.removeIfPresent(path) }
                throw error
            }
            accounting.withLock { totals in
                if inserted {
                    totals.used += size
                    totals.count += 1
                }
                totals.reserved -= size
            }
            return inserted
        }
        reservationHeld = false
        if inserted {
            logger.trace("stored chunk", metadata: ["chunk": "\(id.hex)", "size": "\(size)"])
        }
        return inserted ? .stored : .alreadyPresent
    }

    /// Reads a chunk and verifies that its bytes hash to `id`.
    ///
    /// Throws `.notFound` when the chunk is not here, and `.corrupt` when its file failed
    /// verification; the file was then moved to `quarantine/` and its row removed, so callers
    /// treat both as missing (`error.isMissing`) and fetch a replica.
    public func get(_ id: StoredChunkID) throws(ChunkStoreError) -> [UInt8] {
        try checkOpen()
        let path = layout.path(id)
        // A retry happens only if a concurrent put replaced the file while we were reading it.
        for _ in 0..<3 {
            guard let (bytes, identity) = try FileSystem.readFile(path) else {
                if try dropRowIfFileMissing(id) { continue }
                throw ChunkStoreError(.notFound, chunk: id, path: path)
            }
            let digest = SHA256.hash(bytes)
            if digest == id.bytes { return bytes }
            if try quarantine(id, ifStill: identity, detail: "read hashes to \(Hex.encode(digest))") {
                throw ChunkStoreError(.corrupt, chunk: id, path: path, detail: "quarantined")
            }
        }
        throw ChunkStoreError(.corrupt, chunk: id, path: path, detail: "changed repeatedly while being read")
    }

    /// Removes a chunk (its file, its row and its hints). Returns false if it was not stored.
    @discardableResult
    public func delete(_ id: StoredChunkID) throws(ChunkStoreError) -> Bool {
        try checkOpen()
        let path = layout.path(id)
        return try stripes.withLock(for: id) { () throws(ChunkStoreError) -> Bool in
            // File first: a crash in between leaves a row without a file, which open drops.
            let hadFile = try FileSystem.remove(path)
            let removedSize = try removeRow(id)
            if hadFile || removedSize != nil {
                logger.debug("deleted chunk", metadata: ["chunk": "\(id.hex)"])
            }
            return hadFile || removedSize != nil
        }
    }

    /// Current space accounting.
    public var usage: ChunkStoreUsage {
        accounting.withLock { ChunkStoreUsage(used: $0.used, capacity: configuration.capacity, count: $0.count) }
    }
}
