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
    ) throws(ChunkStoreError) -> any DatabaseWriter {
        var options = Configuration()
        let synchronous = configuration.syncEveryCommit ? "FULL" : "NORMAL"
        options.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            let database: any DatabaseWriter =
                configuration.indexInMemory
                ? try DatabaseQueue(configuration: options) : try DatabasePool(path: layout.database, configuration: options)
            try ChunkStoreSchema.migrator.migrate(database)
            return database
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
            // Prepared once per connection: parsing them was a visible part of a small write.
            try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
            defer { try? db.cachedStatement(sql: "PRAGMA synchronous = \(usual)").execute() }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            durableCommitCount.add(1, ordering: .relaxed)
            return result!
        }
    }

    /// The store's clock in its integer milliseconds.
    var nowMilliseconds: Int64 { ChunkLease.milliseconds(configuration.clock()) }

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

    /// Where a chunk is: its row's segment, offset and size; nil when not stored (or only as a
    /// file of layout 1 not yet moved into a segment, which happens during open).
    struct Placement: Equatable {
        var segment: UInt32
        var offset: UInt64
        var size: Int
    }

    func placement(of id: StoredChunkID) throws(ChunkStoreError) -> Placement? {
        try withDatabase("look up chunk", chunk: id) {
            try database.read { db in
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT segment, segment_offset, size FROM chunk WHERE id = ? AND segment IS NOT NULL"),
                    arguments: [id]
                ).map { row in Placement(segment: row[0], offset: row[1], size: row[2]) }
            }
        }
    }

    /// Deletes a chunk's row (only if it is still at `place`, when given) and takes it out of
    /// the totals; returns its size if a row was deleted.
    func removeRow(_ id: StoredChunkID, at place: Placement? = nil) throws(ChunkStoreError) -> Int64? {
        let size = try withDatabase("remove chunk", chunk: id) {
            try database.write { db -> Int64? in
                guard let record = try ChunkRecord.fetchOne(db, key: id) else { return nil }
                if let place {
                    let current = try Row.fetchOne(
                        db, sql: "SELECT segment, segment_offset FROM chunk WHERE id = ?", arguments: [id])
                    guard let current, current[0] == Int64(place.segment), current[1] == Int64(place.offset) else { return nil }
                }
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

    /// Keeps the bytes of a chunk that failed verification in `quarantine/` for diagnosis and
    /// drops its row, unless a concurrent put moved the chunk meanwhile.
    func quarantine(_ id: StoredChunkID, at place: Placement, bytes: [UInt8], detail: String) throws(ChunkStoreError) {
        let kept = quarantinePath(for: id.hex)
        do throws(ChunkStoreError) {
            try DurableFile.create(kept, contents: bytes)
        } catch {
            logger.warning("could not keep a corrupt chunk's bytes", metadata: ["chunk": "\(id.hex)", "error": "\(error)"])
        }
        _ = try removeRow(id, at: place)
        logger.error(
            "chunk failed verification; quarantined",
            metadata: ["chunk": "\(id.hex)", "segment": "\(segments.path(place.segment))", "detail": "\(detail)"])
    }

    func quarantinePath(for name: String) -> String {
        let millis = nowMilliseconds
        let serial = temporaryCounter.add(1, ordering: .relaxed).newValue
        return layout.quarantine + "/" + name + "." + String(millis) + "." + String(serial)
    }
}
