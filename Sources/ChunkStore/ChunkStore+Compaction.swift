import Foundation
import GRDB

/// Compaction (docs/storage.md): the bytes of removed chunks stay in their segments as dead
/// space; compaction copies the live records of a mostly dead sealed segment forward into the
/// active segment, points their rows at the copies, and unlinks the old file.
///
/// Every step runs under `writeSerial`, which group commits, sweeps and every removal of a row
/// hold too, so the rows a step copies neither move nor disappear until its transaction
/// points them at the copies. The order makes a crash at any point lose nothing:
/// 1. copies appended and synced (a crash leaves them past the active segment's
///    `indexed_end`: open indexes them, but their ids all have rows, so they stay dead);
/// 2. their rows moved, only where still at the old place, and the active segment's
///    `indexed_end` past the copies, in one durable transaction;
/// 3. once no row points at the old segment, its `segment` row replaced by a `retired_segment`
///    row in one durable transaction (a crash leaves a retired file, which open unlinks rather
///    than re-indexing it, which would bring back the chunks deleted from it);
/// 4. the file unlinked and the directory synced, then the `retired_segment` row dropped.
extension ChunkStore {
    /// Where a compaction has got to when it calls `compactionHook`.
    enum CompactionStage: Sendable, Equatable {
        /// A step's copies are synced in the active segment; their rows still point at the old place.
        case copiesSynced
        /// The step's rows point at the copies (durably).
        case rowsMoved
        /// The emptied segment is retired (durably); its file is still there.
        case retired
        /// Its file is unlinked and the directory synced; its `retired_segment` row remains.
        case unlinked
    }

    /// Most bytes of records one step copies while holding `writeSerial`: puts wait at most
    /// about one such step.
    static let compactionStepBytes: UInt64 = 4 << 20

    /// How a segment's bytes divide between live records and dead space.
    struct SegmentSpace {
        var number: UInt32
        /// The file's length (the active segment's: where the next append goes).
        var length: UInt64
        /// Bytes of the records that rows point at, headers included.
        var live: UInt64
        var rows: Int

        var dead: UInt64 { length > live ? length - live : 0 }
        /// Worth copying forward: at least half of it is dead.
        var isMostlyDead: Bool { dead > 0 && dead >= length - dead }
    }

    /// Reclaims dead space: seals the active segment when at least half of it is dead, then
    /// unlinks every sealed segment no row points at, and copies the live records of every
    /// sealed segment at least half dead into the active segment and unlinks it, cheapest
    /// first. Copies at most `maximumBytes` of records per call (headers included; a single
    /// record larger than that is copied alone when it comes first), so a caller can
    /// rate-limit it; `finished` says whether anything worth compacting was left undone.
    /// Puts, gets and sweeps go on meanwhile; one compaction runs at a time.
    public func compact(maximumBytes: UInt64) throws(ChunkStoreError) -> CompactionReport {
        try checkOpen()
        return try compactionSerial.withLock { _ throws(ChunkStoreError) -> CompactionReport in
            var report = CompactionReport()
            try writeSerial.withLock { _ throws(ChunkStoreError) in try sealActiveSegmentIfMostlyDead() }
            let sealedBelow = min(segments.newestNumber, segments.activeSegment?.number ?? .max)
            let candidates = try segmentSpaces()
                .filter { $0.number < sealedBelow && ($0.rows == 0 || $0.isMostlyDead) }
                .sorted { ($0.live, $0.number) < ($1.live, $1.number) }
            for candidate in candidates {
                guard try copyForward(candidate.number, budget: maximumBytes, report: &report) else {
                    report.finished = false
                    break
                }
                try retire(candidate.number, report: &report)
            }
            if report.didWork {
                logger.info("compacted segments", metadata: [
                    "removed": "\(report.segmentsRemoved)", "copied": "\(report.bytesCopied)",
                    "freed": "\(report.bytesFreed)", "finished": "\(report.finished)",
                ])
            }
            return report
        }
    }

    /// Bytes of segment files on disk, and how many of them are dead.
    public func segmentUsage() throws(ChunkStoreError) -> SegmentUsage {
        try checkOpen()
        let spaces = try segmentSpaces()
        return SegmentUsage(
            segments: spaces.count, onDisk: spaces.reduce(0) { $0 + $1.length }, live: spaces.reduce(0) { $0 + $1.live })
    }

    /// Every segment file's length against the live bytes its rows point at.
    func segmentSpaces() throws(ChunkStoreError) -> [SegmentSpace] {
        let live = try withDatabase("live bytes per segment") {
            try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT segment, SUM(size) + COUNT(*) * \(SegmentRecord.headerSize), COUNT(*) FROM chunk
                    WHERE segment IS NOT NULL GROUP BY segment
                    """).reduce(into: [UInt32: (bytes: UInt64, rows: Int)]()) { live, row in
                    live[UInt32(truncatingIfNeeded: row[0] as Int64)] = (UInt64(max(0, row[1] as Int64)), row[2])
                }
            }
        }
        let active = segments.activeSegment
        var spaces: [SegmentSpace] = []
        for number in try segments.numbersOnDisk() {
            let length: UInt64
            if let active, active.number == number {
                length = active.size
            } else {
                guard let file = try segments.file(number) else { continue }
                length = try file.size()
            }
            spaces.append(SegmentSpace(number: number, length: length, live: live[number]?.bytes ?? 0, rows: live[number]?.rows ?? 0))
        }
        return spaces
    }

    /// Under `writeSerial`: starts a new active segment when at least half of the current one
    /// is dead, so that the current one can be compacted like any sealed segment.
    private func sealActiveSegmentIfMostlyDead() throws(ChunkStoreError) {
        guard let active = segments.activeSegment, active.size > 0 else { return }
        let live = try withDatabase("live bytes of the active segment") {
            try database.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(size) + COUNT(*) * \(SegmentRecord.headerSize), 0) FROM chunk WHERE segment = ?",
                    arguments: [Int64(active.number)]) ?? 0
            }
        }
        let space = SegmentSpace(number: active.number, length: active.size, live: UInt64(max(0, live)), rows: 0)
        guard space.isMostlyDead else { return }
        try segments.startNewSegment()
        logger.debug("sealed a mostly dead active segment", metadata: ["segment": "\(segments.path(active.number))"])
    }

    /// Copies the live records of segment `number` forward, a step at a time, until no row
    /// points at it (true) or the call's budget is spent (false).
    private func copyForward(
        _ number: UInt32, budget: UInt64, report: inout CompactionReport
    ) throws(ChunkStoreError) -> Bool {
        while true {
            let allowance = budget - min(budget, report.bytesCopied)
            let mayExceed = report.bytesCopied == 0 && budget > 0
            let step = try writeSerial.withLock { _ throws(ChunkStoreError) -> CompactionStep in
                try copyStep(from: number, allowance: min(allowance, Self.compactionStepBytes), mayExceed: mayExceed)
            }
            switch step {
            case .emptied:
                return true
            case .budgetSpent:
                return false
            case .copied(let bytes, let chunks):
                report.bytesCopied += bytes
                report.chunksMoved += chunks
            }
        }
    }

    private enum CompactionStep {
        case emptied, budgetSpent
        case copied(bytes: UInt64, chunks: Int)
    }

    /// Under `writeSerial`: copies the first records of segment `number` (at most `allowance`
    /// bytes, or one record larger than that when `mayExceed`) into the active segment and
    /// points their rows at the copies. A record that does not verify is quarantined, as a
    /// read would.
    private func copyStep(
        from number: UInt32, allowance: UInt64, mayExceed: Bool
    ) throws(ChunkStoreError) -> CompactionStep {
        let rows = try withDatabase("rows of a segment") {
            try database.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT id, segment_offset, size FROM chunk WHERE segment = ? ORDER BY segment_offset LIMIT 1024",
                    arguments: [Int64(number)]
                ).map { row in (id: row[0] as StoredChunkID, place: Placement(segment: number, offset: row[1], size: row[2])) }
            }
        }
        guard !rows.isEmpty else { return .emptied }
        var taken: [(id: StoredChunkID, place: Placement)] = []
        var takenBytes: UInt64 = 0
        for row in rows {
            let footprint = UInt64(SegmentRecord.headerSize + row.place.size)
            guard takenBytes + footprint <= allowance || (taken.isEmpty && mayExceed) else { break }
            taken.append(row)
            takenBytes += footprint
        }
        guard !taken.isEmpty else { return .budgetSpent }
        var copies: [(id: StoredChunkID, from: Placement, bytes: [UInt8])] = []
        for (id, place) in taken {
            switch try read(id, at: place) {
            case .success(let bytes):
                copies.append((id, place, bytes))
            case .failure(let failure):
                // The row is still at `place` (we hold `writeSerial`): dropped or quarantined.
                do {
                    _ = try resolveFailedRead(failure, of: id, at: place)
                } catch where error.isMissing {}
            }
        }
        guard !copies.isEmpty else { return .copied(bytes: 0, chunks: 0) }
        let records = copies.map { SegmentRecord(id: $0.id, length: $0.bytes.count) }
        let written = try appendDurably(records, bytes: copies.map(\.bytes))
        try reachCompactionStage(.copiesSynced)
        let moved = try withDatabase("move rows to their copies") {
            try durableWrite { db -> Int in
                let move = try db.cachedStatement(sql: """
                    UPDATE chunk SET segment = ?, segment_offset = ? WHERE id = ? AND segment = ? AND segment_offset = ?
                    """)
                var moved = 0
                for (copy, offset) in zip(copies, written.offsets) {
                    try move.execute(arguments: [
                        Int64(written.segment), Int64(offset), copy.id, Int64(number), Int64(copy.from.offset),
                    ])
                    moved += db.changesCount
                }
                try Self.recordIndexedEnd(of: written.segment, written.end, in: db)
                return moved
            }
        }
        try reachCompactionStage(.rowsMoved)
        return .copied(bytes: records.reduce(0) { $0 + UInt64($1.footprint) }, chunks: moved)
    }

    /// Removes segment `number`, which no row points at: retired in a durable transaction,
    /// then unlinked. Under `writeSerial`, so that nothing is appended meanwhile.
    private func retire(_ number: UInt32, report: inout CompactionReport) throws(ChunkStoreError) {
        try writeSerial.withLock { _ throws(ChunkStoreError) in
            let length = try segments.file(number)?.size() ?? 0
            let retired = try withDatabase("retire segment") {
                try durableWrite { db -> Bool in
                    let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunk WHERE segment = ?", arguments: [Int64(number)])
                    guard rows == 0 else { return false }
                    try db.execute(sql: "DELETE FROM segment WHERE number = ?", arguments: [Int64(number)])
                    try db.execute(sql: "INSERT INTO retired_segment (number) VALUES (?)", arguments: [Int64(number)])
                    return true
                }
            }
            // Rows move only into the active segment, so this cannot happen; keep the file if it does.
            guard retired else { return }
            try reachCompactionStage(.retired)
            try segments.retire(number)
            try reachCompactionStage(.unlinked)
            try withDatabase("forget retired segment") {
                try database.write { db in
                    try db.execute(sql: "DELETE FROM retired_segment WHERE number = ?", arguments: [Int64(number)])
                }
            }
            report.segmentsRemoved += 1
            report.bytesFreed += length
        }
    }

    private func reachCompactionStage(_ stage: CompactionStage) throws(ChunkStoreError) {
        if let hook = compactionHook.withLock({ $0 }) { try hook(stage) }
    }
}
