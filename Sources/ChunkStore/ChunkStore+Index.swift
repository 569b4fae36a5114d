import Foundation
import GRDB

extension ChunkStore {
    /// For each id, whether it is indexed here (one query per batch, on a concurrent reader).
    public func has(_ ids: [StoredChunkID]) throws(ChunkStoreError) -> [Bool] {
        try holdings(ids).map(\.isHeld)
    }

    /// For each id, whether it is indexed here and whether a lease still keeps it, on the
    /// store's clock (as the repair walk and the sweep read `lease_expiry`: a row without
    /// one is leased).
    public func holdings(_ ids: [StoredChunkID]) throws(ChunkStoreError) -> [ChunkHolding] {
        try checkOpen()
        guard !ids.isEmpty else { return [] }
        let now = nowMilliseconds
        let found = try withDatabase("look up chunks") {
            try database.read { db -> [StoredChunkID: ChunkHolding] in
                var found: [StoredChunkID: ChunkHolding] = [:]
                // Stay well below SQLite's bound-parameter limit.
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let batch = Array(ids[start..<min(start + 500, ids.count)])
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT id, lease_expiry IS NULL OR lease_expiry >= ? FROM chunk
                            WHERE id IN (\(Array(repeating: "?", count: batch.count).joined(separator: ",")))
                            """,
                        arguments: StatementArguments([now.databaseValue] + batch.map(\.databaseValue)))
                    while let row = try rows.next() {
                        found[row[0]] = row[1] as Bool ? .leased : .unleased
                    }
                }
                return found
            }
        }
        return ids.map { found[$0] ?? .absent }
    }

    /// The index row of a chunk, or nil if it is not stored.
    public func record(_ id: StoredChunkID) throws(ChunkStoreError) -> ChunkRecord? {
        try checkOpen()
        return try withDatabase("fetch chunk", chunk: id) {
            try database.read { db in try ChunkRecord.fetchOne(db, key: id) }
        }
    }

    /// Indexed chunks on an arc of the ring, in ring order from `range.start`, at most `limit`.
    ///
    /// Pass the last id of one page as `after` to get the next page; iteration is stable while
    /// chunks are added or removed elsewhere on the ring.
    public func chunks(
        in range: RingRange = .all, after cursor: StoredChunkID? = nil, limit: Int
    ) throws(ChunkStoreError) -> [ChunkRecord] {
        try checkOpen()
        guard limit > 0 else { return [] }
        let segments = range.segments
        // The cursor's segment: earlier segments are done; in it, continue after the cursor.
        let cursorSegment = cursor.flatMap { cursor in
            segments.firstIndex { segment in
                cursor.ringPosition >= segment.lower && segment.upper.map { cursor.ringPosition < $0 } ?? true
            }
        }
        return try withDatabase("scan ring range") {
            try database.read { db in
                var result: [ChunkRecord] = []
                for (index, segment) in segments.enumerated() where result.count < limit {
                    if let cursorSegment, index < cursorSegment { continue }
                    var request = ChunkRecord.filter(ChunkRecord.Columns.ringPosition >= RingPosition.encode(segment.lower))
                    if let upper = segment.upper {
                        request = request.filter(ChunkRecord.Columns.ringPosition < RingPosition.encode(upper))
                    }
                    if let cursor, index == cursorSegment {
                        request = request.filter(ChunkRecord.Columns.id > cursor)
                    }
                    result += try request
                        .order(ChunkRecord.Columns.ringPosition, ChunkRecord.Columns.id)
                        .limit(limit - result.count)
                        .fetchAll(db)
                }
                return result
            }
        }
    }

    /// Records that a chunk's bytes were re-read and verified (by scrub) at `date` (now by default).
    public func markVerified(_ id: StoredChunkID, at date: Date? = nil) throws(ChunkStoreError) {
        try checkOpen()
        let date = date ?? configuration.clock()
        try withDatabase("mark verified", chunk: id) {
            try database.write { db in
                // One statement; the date in milliseconds, as the record encodes it.
                try db.execute(
                    sql: "UPDATE chunk SET last_verified = ? WHERE id = ?",
                    arguments: [ChunkLease.milliseconds(date), id])
            }
        }
    }

    /// Reads a chunk back, verifies it and records the verification: the scrub step.
    public func verify(_ id: StoredChunkID) throws(ChunkStoreError) -> ChunkVerification {
        do {
            _ = try get(id)
        } catch where error.code == .notFound {
            return .absent
        } catch where error.isMissing {
            return .corrupt
        }
        try markVerified(id)
        return .intact
    }

    /// The chunks verified longest ago (never-verified first): the next ones for scrub.
    public func leastRecentlyVerified(limit: Int) throws(ChunkStoreError) -> [StoredChunkID] {
        try checkOpen()
        return try withDatabase("scrub order") {
            try database.read { db in
                try StoredChunkID.fetchAll(
                    db,
                    ChunkRecord.select(ChunkRecord.Columns.id)
                        // SQLite sorts NULL first in ascending order: never-verified chunks come first.
                        .order(ChunkRecord.Columns.lastVerified, ChunkRecord.Columns.id)
                        .limit(limit))
            }
        }
    }
}
