import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ChunkStore {
    static func openDatabase(
        layout: ChunkLayout, configuration: ChunkStoreConfiguration
    ) throws(ChunkStoreError) -> DatabasePool {
        var options = Configuration()
        let synchronous = configuration.syncEveryCommit ? "FULL" : "NORMAL"
        options.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            let pool = try DatabasePool(path: layout.database, configuration: options)
            try ChunkStoreSchema.migrator.migrate(pool)
            return pool
        } catch {
            throw ChunkStoreError(.database, path: layout.database, detail: "open", underlying: error)
        }
    }

    /// Runs `body` in a transaction that is on disk when it returns (`synchronous = FULL`
    /// for this commit: the WAL is synced), whatever the connection's setting: what other
    /// peers are told is stored — records, hints — must survive a power cut, while chunk
    /// index rows, rebuilt from their files, need not pay for it.
    func durableWrite<T>(_ body: (Database) throws -> T) throws -> T {
        let usual = configuration.syncEveryCommit ? "FULL" : "NORMAL"
        return try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = \(usual)") }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            durableCommitCount.add(1, ordering: .relaxed)
            return result!
        }
    }

    func checkOpen() throws(ChunkStoreError) {
        if isClosed.load(ordering: .acquiring) {
            throw ChunkStoreError(.io, path: layout.root, detail: "store is closed")
        }
    }

    /// Runs database work, reporting GRDB errors as `.database` with context.
    func withDatabase<T>(
        _ what: String, chunk: StoredChunkID? = nil, _ body: () throws -> T
    ) throws(ChunkStoreError) -> T {
        do {
            return try body()
        } catch let error as ChunkStoreError {
            throw error
        } catch {
            throw ChunkStoreError(.database, chunk: chunk, path: layout.database, detail: what, underlying: error)
        }
    }

    func isIndexed(_ id: StoredChunkID) throws(ChunkStoreError) -> Bool {
        try withDatabase("look up chunk", chunk: id) {
            try database.read { db in try ChunkRecord.exists(db, key: id) }
        }
    }

    /// Deletes a chunk's row and takes it out of the totals; returns its size if it existed.
    /// Callers hold the chunk's stripe lock.
    func removeRow(_ id: StoredChunkID) throws(ChunkStoreError) -> Int64? {
        let size = try withDatabase("remove chunk", chunk: id) {
            try database.write { db -> Int64? in
                guard let record = try ChunkRecord.fetchOne(db, key: id) else { return nil }
                try record.delete(db)
                return record.size
            }
        }
        if let size {
            accounting.withLock { totals in
                totals.used -= min(totals.used, UInt64(size))
                totals.count -= 1
            }
        }
        return size
    }

    func reserve(_ size: UInt64, for id: StoredChunkID) throws(ChunkStoreError) {
        let capacity = configuration.capacity
        let refusal = accounting.withLock { totals -> ChunkStoreError? in
            let committed = totals.used + totals.reserved
            guard committed <= capacity, size <= capacity - committed else {
                return ChunkStoreError(
                    .full, chunk: id,
                    detail: "\(size) bytes do not fit: \(totals.used) used + \(totals.reserved) in flight of \(capacity)")
            }
            totals.reserved += size
            return nil
        }
        if let refusal { throw refusal }
    }

    func release(_ size: UInt64) {
        accounting.withLock { $0.reserved -= size }
    }

    /// Makes sure `chunks/ab/cd` exists and its entry is durable before a chunk is renamed
    /// into it. Each directory's parent is synced the first time this process uses it (not only
    /// when this process created it: a process that crashed may have created it unsynced).
    func ensureDirectory(for id: StoredChunkID) throws(ChunkStoreError) {
        let leaf = ChunkLayout.directoryIndex(id)
        // Outer directories are recorded after the 65,536 leaves.
        let outer = 65536 + Int(id.bytes[0])
        let (leafDone, outerDone) = durableDirectories.withLock { ($0.contains(leaf), $0.contains(outer)) }
        if leafDone { return }
        let outerPath = layout.outerDirectory(id)
        if !outerDone {
            try FileSystem.makeDirectory(outerPath)
            try FileSystem.syncDirectory(layout.chunks)
            durableDirectories.withLock { _ = $0.insert(outer) }
        }
        try FileSystem.makeDirectory(layout.directory(id))
        try FileSystem.syncDirectory(outerPath)
        durableDirectories.withLock { _ = $0.insert(leaf) }
    }

    /// A fresh name in `tmp/`, unique within this process (and the lock excludes others).
    func temporaryPath(for id: StoredChunkID) -> String {
        let serial = temporaryCounter.add(1, ordering: .relaxed).newValue
        return layout.temporary + "/" + id.hex + "." + String(serial) + ".tmp"
    }

    /// Called when a chunk file was not found: if it is still absent under the stripe lock, its
    /// row (if any) is dropped. Returns true when the file has appeared meanwhile (retry).
    func dropRowIfFileMissing(_ id: StoredChunkID) throws(ChunkStoreError) -> Bool {
        // The common case, a chunk we never had, stays a read.
        guard try isIndexed(id) else { return false }
        let path = layout.path(id)
        return try stripes.withLock(for: id) { () throws(ChunkStoreError) -> Bool in
            if try FileSystem.identity(path) != nil { return true }
            if try removeRow(id) != nil {
                logger.warning("chunk file vanished; dropped its index row", metadata: ["chunk": "\(id.hex)"])
            }
            return false
        }
    }

    /// Moves a chunk file that failed verification to `quarantine/` and drops its row, unless
    /// the name now refers to another file (a concurrent put replaced it). Returns true if the
    /// chunk is now missing, false if the caller should read again.
    func quarantine(
        _ id: StoredChunkID, ifStill identity: FileSystem.Identity, detail: String
    ) throws(ChunkStoreError) -> Bool {
        let path = layout.path(id)
        return try stripes.withLock(for: id) { () throws(ChunkStoreError) -> Bool in
            if let current = try FileSystem.identity(path) {
                guard current.device == identity.device, current.inode == identity.inode else { return false }
                try FileSystem.move(path, to: quarantinePath(for: id.hex))
            }
            _ = try removeRow(id)
            logger.error(
                "chunk failed verification; quarantined",
                metadata: ["chunk": "\(id.hex)", "path": "\(path)", "detail": "\(detail)"])
            return true
        }
    }

    func quarantinePath(for name: String) -> String {
        let millis = Int64(configuration.clock().timeIntervalSince1970 * 1000)
        let serial = temporaryCounter.add(1, ordering: .relaxed).newValue
        return layout.quarantine + "/" + name + "." + String(millis) + "." + String(serial)
    }
}
