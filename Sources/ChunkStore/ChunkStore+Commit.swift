import Foundation
import GRDB

extension ChunkStore {
    /// One group commit (called by `GroupCommit`, one batch at a time, or by recovery before
    /// the store is shared): appends the batch's new chunks to the active segment, syncs the
    /// segment once, then indexes them all, takes the batch's leases and moves the segment's
    /// `indexed_end` in one SQLite transaction. Chunks already stored, or repeated within the
    /// batch, are `.alreadyPresent`. Runs under `writeSerial`, so no sweep removes a chunk
    /// between the check that finds it stored and the transaction that leases it.
    ///
    /// A crash before the sync leaves a tail that recovery cuts off (no writer was answered);
    /// a crash after it, or a lost commit, leaves a tail that recovery indexes.
    func commitBatch(_ batch: [GroupCommit.Write]) -> [Result<PutOutcome, ChunkStoreError>] {
        writeSerial.withLock { _ in commitSerially(batch) }
    }

    private func commitSerially(_ batch: [GroupCommit.Write]) -> [Result<PutOutcome, ChunkStoreError>] {
        do throws(ChunkStoreError) {
            try checkOpen()
            let placed = try placedIDs(batch.map(\.id))
            var outcomes = [PutOutcome](repeating: .alreadyPresent, count: batch.count)
            var seen = Set<StoredChunkID>()
            let fresh = batch.indices.filter { index in
                !placed.contains(batch[index].id) && seen.insert(batch[index].id).inserted
            }
            var leases: [StoredChunkID: [ChunkLease]] = [:]
            for write in batch where !write.leases.isEmpty { leases[write.id, default: []] += write.leases }
            guard !fresh.isEmpty else {
                if !leases.isEmpty { _ = try index([], in: nil, end: 0, leases: leases) }
                return outcomes.map { .success($0) }
            }
            let records = fresh.map { SegmentRecord(id: batch[$0].id, length: batch[$0].bytes.count) }
            let written = try appendDurably(records, bytes: fresh.map { batch[$0].bytes })
            let inserted = try index(
                Array(zip(records, written.offsets)), in: written.segment, end: written.end, leases: leases)
            for (position, index) in fresh.enumerated() where inserted[position] { outcomes[index] = .stored }
            return outcomes.map { .success($0) }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// Appends records to the active segment (starting a new one when they would not fit) and
    /// syncs it: when this returns they are durable, at the offsets returned, and the segment
    /// ends at `end`. On failure, cuts what may have been written. Called under `writeSerial`
    /// (or by recovery, before the store is shared).
    func appendDurably(
        _ records: [SegmentRecord], bytes: [[UInt8]]
    ) throws(ChunkStoreError) -> (segment: UInt32, offsets: [UInt64], end: UInt64) {
        let total = records.reduce(UInt64(0)) { $0 + UInt64($1.footprint) }
        // Room for the paddings around a direct write.
        let (file, start) = try segments.appendTarget(for: total + UInt64(4 * SegmentRecord.alignment))
        let written: (offsets: [UInt64], end: UInt64)
        do throws(ChunkStoreError) {
            written = try append(records, bytes: bytes, to: file, at: start)
            try file.sync()
        } catch {
            segments.abandonAppend(to: start)
            throw error
        }
        segments.advance(to: written.end)
        return (file.number, written.offsets, written.end)
    }

    /// Batches of at least this many bytes go to disk with direct I/O.
    static let directWriteThreshold: UInt64 = 128 << 10

    /// Writes the records one after the other from `start` and returns where each went and
    /// the new end. A large batch is assembled in the staging buffer and written with direct
    /// I/O between padding records that align it; a small one is written through the page
    /// cache, small records gathered into one buffer so that a batch of 4 KiB chunks is a few
    /// large writes.
    private func append(
        _ records: [SegmentRecord], bytes: [[UInt8]], to file: SegmentFile, at start: UInt64
    ) throws(ChunkStoreError) -> (offsets: [UInt64], end: UInt64) {
        let total = records.reduce(UInt64(0)) { $0 + UInt64($1.footprint) }
        if file.supportsDirectWrites && total >= Self.directWriteThreshold {
            return try appendDirect(records, bytes: bytes, to: file, at: start)
        }
        let gatherLimit = 1 << 20
        var buffer: [UInt8] = []
        buffer.reserveCapacity(gatherLimit + SegmentRecord.headerSize)
        var bufferStart = start
        var position = start
        var offsets: [UInt64] = []
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
            offsets.append(position)
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
        return (offsets, position)
    }

    private func appendDirect(
        _ records: [SegmentRecord], bytes: [[UInt8]], to file: SegmentFile, at start: UInt64
    ) throws(ChunkStoreError) -> (offsets: [UInt64], end: UInt64) {
        // Up to the next boundary: a padding header through the page cache (the rest of the
        // gap is a hole, read as zeros).
        let lead = SegmentRecord.paddingGap(after: start)
        if lead > 0 {
            let result = SegmentRecord.paddingHeader(filling: lead).withUnsafeBytes { raw in
                Result { () throws(ChunkStoreError) in try file.write(raw, at: start) }
            }
            try result.get()
        }
        let bodyStart = start + UInt64(lead)
        let used = records.reduce(0) { $0 + $1.footprint }
        let trail = SegmentRecord.paddingGap(after: UInt64(used))
        let length = used + trail
        return try staging.withLock { staging throws(ChunkStoreError) -> (offsets: [UInt64], end: UInt64) in
            staging.reserve(length)
            let memory = staging.memory
            var cursor = 0
            var offsets: [UInt64] = []
            offsets.reserveCapacity(records.count)
            func put(_ source: [UInt8]) {
                source.withUnsafeBytes { raw in
                    memory.baseAddress!.advanced(by: cursor).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
                }
                cursor += source.count
            }
            for (record, chunk) in zip(records, bytes) {
                offsets.append(bodyStart + UInt64(cursor))
                put(record.header)
                if !chunk.isEmpty { put(chunk) }
            }
            if trail > 0 {
                put(SegmentRecord.paddingHeader(filling: trail))
                memory.baseAddress!.advanced(by: cursor).initializeMemory(as: UInt8.self, repeating: 0, count: length - cursor)
            }
            try file.writeDirect(UnsafeRawBufferPointer(rebasing: memory[0..<length]), at: bodyStart)
            return (offsets, bodyStart + UInt64(length))
        }
    }

    /// Indexes records at their offsets and takes `leases` (one transaction), and records
    /// that the segment is indexed up to `end`. A new row without a lease of its own gets a
    /// provisional one (`ChunkLease.provisionalOwner`, ending after
    /// `ChunkStoreConfiguration.provisionalLease`). The transaction is fully synced when it
    /// leases chunks stored before: the segment sync does not cover those rows. For each
    /// record, whether its row is new (or moved a chunk of layout 1 into the segment) rather
    /// than already present.
    func index(
        _ records: [(SegmentRecord, offset: UInt64)], in segment: UInt32?, end: UInt64,
        leases: [StoredChunkID: [ChunkLease]] = [:]
    ) throws(ChunkStoreError) -> [Bool] {
        let now = nowMilliseconds
        let provisional = ChunkLease(
            owner: ChunkLease.provisionalOwner, expiry: configuration.clock().addingTimeInterval(configuration.provisionalLease))!
        let fresh = Set(records.map(\.0.id))
        let body = { (db: Database) throws -> [Bool] in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO chunk (id, size, ring_position, stored_at, segment, segment_offset, lease_expiry)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    size = excluded.size, segment = excluded.segment, segment_offset = excluded.segment_offset
                WHERE chunk.segment IS NULL
                """)
            var inserted: [Bool] = []
            inserted.reserveCapacity(records.count)
            for (record, offset) in records {
                try insert.execute(arguments: [
                    record.id, record.length, RingPosition.encode(record.id.ringPosition), now,
                    segment.map { Int64($0) }, Int64(offset), 0,
                ])
                inserted.append(db.changesCount > 0)
                _ = try Self.takeLeases(leases[record.id] ?? [provisional], on: record.id, in: db, now: now)
            }
            for (id, granted) in leases where !fresh.contains(id) {
                _ = try Self.takeLeases(granted, on: id, in: db, now: now)
            }
            if let segment { try Self.recordIndexedEnd(of: segment, end, in: db) }
            return inserted
        }
        let leasesStoredChunks = leases.keys.contains { !fresh.contains($0) }
        return try withDatabase("index batch") {
            leasesStoredChunks ? try durableWrite(body) : try database.write(body)
        }
    }

    /// Inside a transaction: segment `segment` is indexed up to `end` (never moved back).
    static func recordIndexedEnd(of segment: UInt32, _ end: UInt64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO segment (number, indexed_end) VALUES (?, ?)
            ON CONFLICT (number) DO UPDATE SET indexed_end = max(indexed_end, excluded.indexed_end)
            """).execute(arguments: [Int64(segment), Int64(end)])
    }

    /// Which of `ids` are stored in a segment already (one query per 500 ids).
    private func placedIDs(_ ids: [StoredChunkID]) throws(ChunkStoreError) -> Set<StoredChunkID> {
        try withDatabase("look up chunks") {
            try database.read { db in
                var placed = Set<StoredChunkID>()
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let slice = Array(ids[start..<min(start + 500, ids.count)])
                    let marks = databaseQuestionMarks(count: slice.count)
                    // Prepared once per batch size (at most 500 statements), not at every batch.
                    let select = try db.cachedStatement(sql: "SELECT id FROM chunk WHERE segment IS NOT NULL AND id IN (\(marks))")
                    placed.formUnion(try StoredChunkID.fetchAll(select, arguments: StatementArguments(slice)))
                }
                return placed
            }
        }
    }
}
