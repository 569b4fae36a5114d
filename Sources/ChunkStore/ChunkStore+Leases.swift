import Foundation
import GRDB

/// Leases and collection (docs/gc.md): owners keep chunks with leases; a chunk whose last
/// lease ended more than the grace ago is collected. Every step that can remove a chunk
/// checks the lease in the same transaction that removes it, and runs under `writeSerial`,
/// so a put that took a lease is never undone by a sweep that raced it.
extension ChunkStore {
    /// Extends `owner`'s lease on each of `ids` that is stored here to `expiry` (never
    /// shortening one) in one transaction. For each id, whether it is stored here.
    public func renewLeases(_ ids: [StoredChunkID], owner: Data, until expiry: Date) throws(ChunkStoreError) -> [Bool] {
        try checkOpen()
        guard let lease = ChunkLease(owner: owner, expiry: expiry) else {
            throw ChunkStoreError(.io, path: layout.database, detail: "a lease owner is 32 bytes")
        }
        guard !ids.isEmpty else { return [] }
        return try withDatabase("renew leases") {
            try database.write { db in try ids.map { id in try Self.takeLeases([lease], on: id, in: db, now: nowMilliseconds) } }
        }
    }

    /// Ends `owner`'s leases on `ids`: a chunk none of whose other leases lasts longer is
    /// collectable a grace after now. The release is remembered (`released_lease`), also for
    /// a chunk this holder has not got yet or holds without that lease, so that a copy from
    /// a holder that has not heard of it, or one of the put's own writes still in flight
    /// (`staleStoreWindow`), cannot bring the lease back. Returns how many leases were ended.
    @discardableResult
    public func releaseLeases(_ ids: [StoredChunkID], owner: Data) throws(ChunkStoreError) -> Int {
        try checkOpen()
        let now = nowMilliseconds
        return try withDatabase("release leases") {
            try database.write { db in
                let delete = try db.cachedStatement(sql: "DELETE FROM lease WHERE chunk_id = ? AND owner = ?")
                let end = try db.cachedStatement(sql: """
                    UPDATE chunk SET lease_expiry = max(?, COALESCE((SELECT max(expiry) FROM lease WHERE chunk_id = ?), 0))
                    WHERE id = ?
                    """)
                let remember = try db.cachedStatement(sql: """
                    INSERT INTO released_lease (chunk_id, owner, released_at) VALUES (?, ?, ?)
                    ON CONFLICT (chunk_id, owner) DO UPDATE SET released_at = excluded.released_at
                    """)
                var released = 0
                for id in ids {
                    try remember.execute(arguments: [id, owner, now])
                    try delete.execute(arguments: [id, owner])
                    guard db.changesCount > 0 else { continue }
                    released += 1
                    try end.execute(arguments: [now, id, id])
                }
                return released
            }
        }
    }

    /// The leases held on a chunk (to carry them with a copy to another peer); empty when it
    /// is not stored.
    public func leases(of id: StoredChunkID) throws(ChunkStoreError) -> [ChunkLease] {
        try checkOpen()
        return try withDatabase("read leases", chunk: id) {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT owner, expiry FROM lease WHERE chunk_id = ? ORDER BY owner", arguments: [id])
                    .compactMap { row in
                        ChunkLease(owner: row[0], expiry: Date(timeIntervalSince1970: Double(row[1] as Int64) / 1000))
                    }
            }
        }
    }

    /// Removes up to `limit` chunks whose last lease ended more than `grace` ago, oldest
    /// first; their bytes become dead space in their segments until compaction.
    public func collect(grace: TimeInterval, limit: Int) throws(ChunkStoreError) -> CollectionReport {
        try checkOpen()
        let cutoff = nowMilliseconds - Int64(grace * 1000)
        let removed = try writeSerial.withLock { _ throws(ChunkStoreError) -> [Int64] in
            try withDatabase("collect") {
                try database.write { db in
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT id, size FROM chunk WHERE lease_expiry < ? ORDER BY lease_expiry LIMIT ?",
                        arguments: [cutoff, limit])
                    let delete = try db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ? AND lease_expiry < ?")
                    var sizes: [Int64] = []
                    for row in rows {
                        let id: StoredChunkID = row[0]
                        try delete.execute(arguments: [id, cutoff])
                        if db.changesCount > 0 { sizes.append(row[1]) }
                    }
                    // Releases older than a lease length: every lease granted before them has ended.
                    try db.execute(
                        sql: """
                            DELETE FROM released_lease WHERE (chunk_id, owner) IN
                                (SELECT chunk_id, owner FROM released_lease WHERE released_at < ? LIMIT ?)
                            """,
                        arguments: [nowMilliseconds - Int64(ChunkLease.length * 1000), limit])
                    return sizes
                }
            }
        }
        let bytes = removed.reduce(UInt64(0)) { $0 + UInt64(max(0, $1)) }
        accounting.withLock { totals in
            totals.used -= min(totals.used, bytes)
            totals.count -= removed.count
        }
        if !removed.isEmpty { logger.debug("collected chunks", metadata: ["chunks": "\(removed.count)", "bytes": "\(bytes)"]) }
        return CollectionReport(chunks: removed.count, bytes: bytes)
    }

    /// Stored bytes by the state of their leases, with `grace` as the sweep uses it.
    public func leaseUsage(grace: TimeInterval) throws(ChunkStoreError) -> LeaseUsage {
        try checkOpen()
        let now = nowMilliseconds
        let cutoff = now - Int64(grace * 1000)
        return try withDatabase("lease usage") {
            try database.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT COALESCE(SUM(CASE WHEN lease_expiry IS NULL OR lease_expiry >= ? THEN size END), 0),
                           COALESCE(SUM(CASE WHEN lease_expiry < ? THEN size END), 0),
                           COALESCE(SUM(CASE WHEN lease_expiry >= ? AND lease_expiry < ? THEN size END), 0)
                    FROM chunk
                    """, arguments: [now, cutoff, cutoff, now])
                return LeaseUsage(
                    referenced: UInt64(max(0, row?[0] ?? 0 as Int64)), collectable: UInt64(max(0, row?[1] ?? 0 as Int64)),
                    inGrace: UInt64(max(0, row?[2] ?? 0 as Int64)))
            }
        }
    }

    /// Most owners a chunk keeps leases for: an admitted peer can send leases of made-up
    /// owners, and each would be a row. Past it a lease is folded into the provisional
    /// owner's row, which no peer can release: nothing is lost, only who it was for.
    static let maximumOwnersPerChunk = 64

    /// Takes `leases` on a stored chunk inside a transaction: each owner's lease is extended
    /// to the later expiry, and so is the chunk's lease end. A copied lease (``ChunkLease/isCopy``)
    /// whose owner released the chunk here is dropped; the chunk's lease end is then at least
    /// `now`, so the copy waits out the grace as the released one does. An owner's own lease
    /// forgets the release. False, taking nothing, when the chunk is not stored.
    /// How long after a release a store from the owner itself is taken for one of the
    /// removed put's writes still in flight (beyond W, each bounded by a 30 s timeout), not a
    /// new put: its lease is dropped. A new put of the same bytes that soon loses its lease
    /// here only until the owner's next renewal, which comes well within the grace.
    public static let staleStoreWindow: Int64 = 60_000

    static func takeLeases(_ leases: [ChunkLease], on id: StoredChunkID, in db: Database, now: Int64) throws -> Bool {
        let released = try db.cachedStatement(sql: "SELECT released_at FROM released_lease WHERE chunk_id = ? AND owner = ?")
        var taken: [ChunkLease] = []
        var dropped = false
        for lease in leases {
            let releasedAt = try Int64.fetchOne(released, arguments: [id, lease.owner])
            // A copy never revives a release; the owner's own store does (a new put), unless
            // it comes right after the release: then it is the removed put's write beyond W.
            if let releasedAt, lease.isCopy || now - releasedAt < staleStoreWindow {
                dropped = true
            } else {
                taken.append(lease)
            }
        }
        let latest = max(taken.map(\.expiryMilliseconds).max() ?? 0, dropped ? now : 0)
        try db.cachedStatement(sql: """
            UPDATE chunk SET lease_expiry = max(COALESCE(lease_expiry, 0), ?) WHERE id = ? AND segment IS NOT NULL
            """).execute(arguments: [latest, id])
        guard db.changesCount > 0 else { return false }
        let extend = try db.cachedStatement(sql: "UPDATE lease SET expiry = max(expiry, ?) WHERE chunk_id = ? AND owner = ?")
        let add = try db.cachedStatement(sql: """
            INSERT INTO lease (chunk_id, owner, expiry)
            SELECT ?, ?, ? WHERE (SELECT count(*) FROM lease WHERE chunk_id = ?) < ?
            """)
        let fold = try db.cachedStatement(sql: """
            INSERT INTO lease (chunk_id, owner, expiry) VALUES (?, ?, ?)
            ON CONFLICT (chunk_id, owner) DO UPDATE SET expiry = max(expiry, excluded.expiry)
            """)
        let forget = try db.cachedStatement(sql: "DELETE FROM released_lease WHERE chunk_id = ? AND owner = ?")
        for lease in taken {
            if !lease.isCopy { try forget.execute(arguments: [id, lease.owner]) }
            try extend.execute(arguments: [lease.expiryMilliseconds, id, lease.owner])
            guard db.changesCount == 0 else { continue }
            try add.execute(arguments: [id, lease.owner, lease.expiryMilliseconds, id, maximumOwnersPerChunk])
            if db.changesCount == 0 {
                try fold.execute(arguments: [id, ChunkLease.provisionalOwner, lease.expiryMilliseconds])
            }
        }
        return true
    }
}
