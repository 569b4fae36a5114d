import Foundation
import GRDB
import OpenSSLKit

extension ChunkStore {
    /// What open found and fixed, for the log.
    struct RecoveryReport {
        var temporaryFilesRemoved = 0
        var recordsIndexed = 0
        var bytesCut: UInt64 = 0
        var rowsDropped = 0
        var filesImported = 0
        var filesQuarantined = 0
        var retiredSegmentsRemoved = 0
    }

    /// Brings segments and index into agreement after open; cheap when they already agree.
    ///
    /// A batch is appended, synced, then indexed, and the index row of a segment says how far
    /// it is indexed. So after a crash at any instant a segment may have a tail past its
    /// `indexed_end`: records that were synced but whose commit was lost (indexed now), then
    /// at most one batch that was being written (torn: cut off; none of its writers was
    /// answered). Rows never point past what was synced, unless the file was cut from outside.
    func recover() throws(ChunkStoreError) {
        var report = RecoveryReport()
        for name in try FileSystem.list(layout.temporary) {
            try FileSystem.remove(layout.temporary + "/" + name)
            report.temporaryFilesRemoved += 1
        }
        let (clean, layoutVersion, format) = try withDatabase("read meta") {
            try database.read { db in
                (
                    try MetaRecord.value(db, for: MetaRecord.Key.cleanShutdown) == "1",
                    try MetaRecord.value(db, for: MetaRecord.Key.layoutVersion),
                    try MetaRecord.value(db, for: MetaRecord.Key.format)
                )
            }
        }
        guard format == MetaRecord.formatName, ["1", String(ChunkLayout.version)].contains(layoutVersion) else {
            throw ChunkStoreError(
                .invalidLayout, path: layout.root,
                detail: "format \(format ?? "none") layout \(layoutVersion ?? "none"); expected layout \(ChunkLayout.version)")
        }
        try recoverSegments(&report)
        if layoutVersion == "1" {
            try importLayoutOneFiles(&report)
            try withDatabase("record layout") {
                try database.write { db in
                    try MetaRecord.set(db, MetaRecord.Key.layoutVersion, to: String(ChunkLayout.version))
                }
            }
        }
        try withDatabase("mark open") {
            try database.write { db in try MetaRecord.set(db, MetaRecord.Key.cleanShutdown, to: "0") }
        }
        let (used, count) = try withDatabase("sum sizes") {
            try database.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0), COUNT(*) FROM chunk")
                let used: Int64 = row?[0] ?? 0
                let count: Int = row?[1] ?? 0
                return (used, count)
            }
        }
        accounting.withLock { $0 = Accounting(used: UInt64(max(0, used)), count: count) }
        logger.info(
            "chunk store open",
            metadata: [
                "root": "\(layout.root)", "chunks": "\(count)", "used": "\(used)",
                "capacity": "\(configuration.capacity)", "clean": "\(clean)",
                "tempRemoved": "\(report.temporaryFilesRemoved)", "recordsIndexed": "\(report.recordsIndexed)",
                "bytesCut": "\(report.bytesCut)", "rowsDropped": "\(report.rowsDropped)",
                "filesImported": "\(report.filesImported)", "quarantined": "\(report.filesQuarantined)",
                "retiredRemoved": "\(report.retiredSegmentsRemoved)",
            ])
    }

    /// Every segment's tail indexed or cut, rows into missing or shortened segments dropped,
    /// stray files quarantined; the last segment becomes the active one.
    private func recoverSegments(_ report: inout RecoveryReport) throws(ChunkStoreError) {
        for name in try FileSystem.list(layout.segments) where Segments.number(ofName: name) == nil {
            try FileSystem.move(layout.segments + "/" + name, to: quarantinePath(for: name))
            report.filesQuarantined += 1
            logger.warning("stray file under segments/ quarantined", metadata: ["name": "\(name)"])
        }
        try removeRetiredSegments(&report)
        let numbers = try segments.numbersOnDisk()
        let indexedEnds = try withDatabase("load segments") {
            try database.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT number, indexed_end FROM segment").map { row in
                    (UInt32(truncatingIfNeeded: row[0] as Int64), UInt64(row[1] as Int64))
                })
            }
        }
        segments.reserveNumbers(through: indexedEnds.keys.max() ?? 0)
        var last: (SegmentFile, UInt64)?
        for number in numbers {
            guard let file = try segments.file(number) else { continue }
            let size = try file.size()
            let indexedEnd = indexedEnds[number] ?? 0
            var end = size
            if size < indexedEnd {
                logger.error("segment is shorter than its index; dropping the rows past its end", metadata: [
                    "segment": "\(file.path)", "size": "\(size)", "indexedEnd": "\(indexedEnd)",
                ])
                try dropRows(segment: number, from: size, report: &report)
                try setIndexedEnd(number, size)
            } else if size > indexedEnd {
                end = try indexTail(of: file, from: indexedEnd, size: size, report: &report)
            }
            last = (file, end)
        }
        let present = Set(numbers.map(Int64.init))
        let dropped = try withDatabase("drop rows of missing segments") {
            try database.write { db -> Int in
                let referenced = try Int64.fetchAll(db, sql: "SELECT DISTINCT segment FROM chunk WHERE segment IS NOT NULL")
                var dropped = 0
                for number in referenced where !present.contains(number) {
                    try db.execute(sql: "DELETE FROM chunk WHERE segment = ?", arguments: [number])
                    dropped += db.changesCount
                    try db.execute(sql: "DELETE FROM segment WHERE number = ?", arguments: [number])
                }
                return dropped
            }
        }
        if dropped > 0 {
            report.rowsDropped += dropped
            logger.error("segment files vanished; dropped their chunks' rows", metadata: ["rows": "\(dropped)"])
        }
        if let (file, end) = last { try segments.activate(file.number, size: end) }
    }

    /// Finishes compactions a crash interrupted: a retired segment's records all live elsewhere
    /// (the transaction that retired it checked that no row points at it), so its file is
    /// unlinked, not re-indexed, which would bring back every chunk deleted from it.
    private func removeRetiredSegments(_ report: inout RecoveryReport) throws(ChunkStoreError) {
        let retired = try withDatabase("load retired segments") {
            try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT number, (SELECT COUNT(*) FROM chunk WHERE segment = number) FROM retired_segment
                    """).map { row in (number: UInt32(truncatingIfNeeded: row[0] as Int64), rows: row[1] as Int) }
            }
        }
        guard !retired.isEmpty else { return }
        var removed = false
        for (number, rows) in retired {
            guard rows == 0 else {
                // Cannot happen (rows move only into the active segment): keep the file, re-index it.
                logger.error("a retired segment still has rows; keeping it", metadata: ["segment": "\(segments.path(number))"])
                continue
            }
            if try FileSystem.remove(segments.path(number)) {
                removed = true
                report.retiredSegmentsRemoved += 1
            }
        }
        if removed { try FileSystem.syncDirectory(layout.segments) }
        segments.reserveNumbers(through: retired.map(\.number).max() ?? 0)
        try withDatabase("forget retired segments") {
            try database.write { db in try db.execute(sql: "DELETE FROM retired_segment") }
        }
    }

    /// Indexes the valid records of a segment from `start` and cuts the file after the last
    /// one. Returns the new end.
    private func indexTail(
        of file: SegmentFile, from start: UInt64, size: UInt64, report: inout RecoveryReport
    ) throws(ChunkStoreError) -> UInt64 {
        var position = start
        var records: [(SegmentRecord, offset: UInt64)] = []
        while position + UInt64(SegmentRecord.headerSize) <= size {
            guard let header = try file.read(at: position, count: SegmentRecord.headerSize) else { break }
            if let skip = SegmentRecord.paddingFootprint(header: header) {
                // Padding ends on a boundary; past the end of the file it is torn too.
                guard position + UInt64(skip) <= size, (position + UInt64(skip)) % UInt64(SegmentRecord.alignment) == 0
                else { break }
                position += UInt64(skip)
                continue
            }
            guard let record = SegmentRecord(header: header),
                  position + UInt64(record.footprint) <= size,
                  let bytes = try file.read(at: position + UInt64(SegmentRecord.headerSize), count: record.length),
                  SHA256.hash(bytes) == record.id.bytes
            else { break }
            records.append((record, position))
            position += UInt64(record.footprint)
        }
        if position < size {
            try file.truncate(to: position)
            report.bytesCut += size - position
            logger.warning("cut a torn tail off a segment", metadata: [
                "segment": "\(file.path)", "at": "\(position)", "bytes": "\(size - position)",
            ])
        }
        // Indexed in one transaction even when empty, so that `indexed_end` moves to the cut.
        // Pinned: these chunks' leases were in the commit that was lost (a folder's pin is
        // renewed by no one), so nothing recovered here is ever collected.
        let pins = Dictionary(records.map { ($0.0.id, [ChunkLease.pin]) }, uniquingKeysWith: { first, _ in first })
        let inserted = try index(records, in: file.number, end: position, leases: pins)
        report.recordsIndexed += inserted.filter { $0 }.count
        return position
    }

    private func dropRows(segment: UInt32, from offset: UInt64, report: inout RecoveryReport) throws(ChunkStoreError) {
        report.rowsDropped += try withDatabase("drop rows past a segment's end") {
            try database.write { db in
                try db.execute(
                    sql: "DELETE FROM chunk WHERE segment = ? AND segment_offset + \(SegmentRecord.headerSize) + size > ?",
                    arguments: [Int64(segment), Int64(offset)])
                return db.changesCount
            }
        }
    }

    private func setIndexedEnd(_ segment: UInt32, _ end: UInt64) throws(ChunkStoreError) {
        try withDatabase("set indexed end") {
            try database.write { db in
                try db.execute(
                    sql: "UPDATE segment SET indexed_end = ? WHERE number = ?", arguments: [Int64(end), Int64(segment)])
            }
        }
    }
}
