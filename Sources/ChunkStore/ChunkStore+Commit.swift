import Foundation
import GRDB

extension ChunkStore {
    /// One group commit (called by `GroupCommit`, one batch at a time, or by recovery before
    /// the store is shared): appends the batch's new chunks to the active segment, syncs the
    /// segment once, then indexes them all and moves the segment's `indexed_end` in one SQLite
    /// transaction. Chunks already stored, or repeated within the batch, are `.alreadyPresent`.
    ///
    /// A crash before the sync leaves a tail that recovery cuts off (no writer was answered);
    /// a crash after it, or a lost commit, leaves a tail that recovery indexes.
    func commitBatch(_ batch: [GroupCommit.Write]) -> [Result<PutOutcome, ChunkStoreError>] {
        do throws(ChunkStoreError) {
            try checkOpen()
            let placed = try placedIDs(batch.map(\.id))
            var outcomes = [PutOutcome](repeating: .alreadyPresent, count: batch.count)
            var seen = Set<StoredChunkID>()
            let fresh = batch.indices.filter { index in
                !placed.contains(batch[index].id) && seen.insert(batch[index].id).inserted
            }
            guard !fresh.isEmpty else { return outcomes.map { .success($0) } }
            let records = fresh.map { SegmentRecord(id: batch[$0].id, length: batch[$0].bytes.count) }
            let total = records.reduce(UInt64(0)) { $0 + UInt64($1.footprint) }
            let (file, start) = try segments.appendTarget(for: total)
            let end: UInt64
            do throws(ChunkStoreError) {
                end = try append(records, bytes: fresh.map { batch[$0].bytes }, to: file, at: start)
                try file.sync()
            } catch {
                segments.abandonAppend(to: start)
                throw error
            }
            segments.advance(to: end)
            let inserted = try index(records, in: file.number, from: start, end: end)
            for (position, index) in fresh.enumerated() where inserted[position] { outcomes[index] = .stored }
            return outcomes.map { .success($0) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// Writes the records one after the other from `start`; small ones are gathered into one
    /// buffer so that a batch of 4 KiB chunks is a few large writes. Returns the new end.
    private func append(
        _ records: [SegmentRecord], bytes: [[UInt8]], to file: SegmentFile, at start: UInt64
    ) throws(ChunkStoreError) -> UInt64 {
        let gatherLimit = 1 << 20
        var buffer: [UInt8] = []
        buffer.reserveCapacity(gatherLimit + SegmentRecord.headerSize)
        var bufferStart = start
        var position = start
        func flush() throws(ChunkStoreError) {
            guard !buffer.isEmpty else { return }
            let result = buffer.withUnsafeBytes { raw in
                Result { () throws(ChunkStoreError) in try file.write(raw, at: bufferStart) }
            }
            try result.get()
            buffer.removeAll(keepingCapacity: true)
        }
        for (record, chunk) in zip(records, bytes) {
            if buffer.isEmpty { bufferStart = position }
            buffer += record.header
            if chunk.count <= 64 << 10 {
                buffer += chunk
            } else {
                try flush()
                let result = chunk.withUnsafeBytes { raw in
                    Result { () throws(ChunkStoreError) in
                        try file.write(raw, at: position + UInt64(SegmentRecord.headerSize))
                    }
                }
                try result.get()
            }
            position += UInt64(record.footprint)
            if buffer.count >= gatherLimit { try flush() }
        }
        try flush()
        return position
    }

    /// Indexes records written at consecutive offsets from `start` (one transaction), and
    /// records that the segment is indexed up to `end`. For each record, whether its row is
    /// new (or moved a chunk of layout 1 into the segment) rather than already present.
    func index(
        _ records: [SegmentRecord], in segment: UInt32, from start: UInt64, end: UInt64
    ) throws(ChunkStoreError) -> [Bool] {
        let now = Int64(configuration.clock().timeIntervalSince1970 * 1000)
        return try withDatabase("index batch") {
            try database.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO chunk (id, size, ring_position, stored_at, segment, segment_offset)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET
                        size = excluded.size, segment = excluded.segment, segment_offset = excluded.segment_offset
                    WHERE chunk.segment IS NULL
                    """)
                var offset = start
                var inserted: [Bool] = []
                inserted.reserveCapacity(records.count)
                for record in records {
                    try insert.execute(arguments: [
                        record.id, record.length, RingPosition.encode(record.id.ringPosition), now,
                        Int64(segment), Int64(offset),
                    ])
                    inserted.append(db.changesCount > 0)
                    offset += UInt64(record.footprint)
                }
                try db.execute(
                    sql: """
                        INSERT INTO segment (number, indexed_end) VALUES (?, ?)
                        ON CONFLICT (number) DO UPDATE SET indexed_end = max(indexed_end, excluded.indexed_end)
                        """,
                    arguments: [Int64(segment), Int64(end)])
                return inserted
            }
        }
    }

    /// Which of `ids` are stored in a segment already (one query per 500 ids).
    private func placedIDs(_ ids: [StoredChunkID]) throws(ChunkStoreError) -> Set<StoredChunkID> {
        try withDatabase("look up chunks") {
            try database.read { db in
                var placed = Set<StoredChunkID>()
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let slice = Array(ids[start..<min(start + 500, ids.count)])
                    let marks = databaseQuestionMarks(count: slice.count)
                    placed.formUnion(try StoredChunkID.fetchAll(
                        db, sql: "SELECT id FROM chunk WHERE segment IS NOT NULL AND id IN (\(marks))",
                        arguments: StatementArguments(slice)))
                }
                return placed
            }
        }
    }
}
