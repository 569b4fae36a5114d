import Foundation
import GRDB
import OpenSSLKit

extension ChunkStore {
    /// What reconciliation found and fixed, for the log.
    struct RecoveryReport {
        var temporaryFilesRemoved = 0
        var rowsWithoutFile = 0
        var filesIndexed = 0
        var filesQuarantined = 0
    }

    /// Brings files and index into agreement after open.
    ///
    /// A put writes its temp file, syncs it, renames it into `chunks/`, syncs the directory and
    /// only then inserts the row; a delete unlinks first and removes the row second. So after a
    /// crash at any instant: temp files are garbage (removed), a row always names a complete
    /// file unless a delete was cut short (row dropped), and a complete file may lack its row
    /// (verified, then indexed; quarantined if it does not verify).
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
        guard format == MetaRecord.formatName, layoutVersion == String(ChunkLayout.version) else {
            throw ChunkStoreError(
                .invalidLayout, path: layout.root,
                detail: "format \(format ?? "none") layout \(layoutVersion ?? "none"); expected layout \(ChunkLayout.version)")
        }
        if !clean || configuration.alwaysReconcile {
            try reconcile(&report)
        }
        // Mark the store in use, durably: the checkpoint syncs the WAL even with synchronous=NORMAL,
        // so a power cut after this point still makes the next open reconcile.
        try withDatabase("mark open") {
            try database.write { db in try MetaRecord.set(db, MetaRecord.Key.cleanShutdown, to: "0") }
            try database.writeWithoutTransaction { db in _ = try db.checkpoint(.full) }
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
                "tempRemoved": "\(report.temporaryFilesRemoved)", "rowsDropped": "\(report.rowsWithoutFile)",
                "filesIndexed": "\(report.filesIndexed)", "quarantined": "\(report.filesQuarantined)",
            ])
    }

    private func reconcile(_ report: inout RecoveryReport) throws(ChunkStoreError) {
        let files = try scanChunkFiles(&report)
        let rows = try withDatabase("load index") {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, size FROM chunk").map { row -> (StoredChunkID?, Int64) in
                    (StoredChunkID.fromDatabaseValue(row[0]), row[1])
                }
            }
        }
        var indexed = Set<StoredChunkID>()
        for case let (id?, size) in rows {
            if let fileSize = files[id], fileSize == size {
                indexed.insert(id)
                continue
            }
            // No file (a delete cut short) or a file of the wrong size (cannot verify): drop the row;
            // a wrong-sized file is then verified below like any unindexed file.
            _ = try removeRow(id)
            report.rowsWithoutFile += 1
        }
        let now = configuration.clock()
        for (id, _) in files where !indexed.contains(id) {
            let path = layout.path(id)
            guard let (bytes, identity) = try FileSystem.readFile(path) else { continue }
            guard SHA256.hash(bytes) == id.bytes else {
                try FileSystem.move(path, to: quarantinePath(for: id.hex))
                report.filesQuarantined += 1
                logger.error("unindexed chunk file failed verification; quarantined", metadata: ["chunk": "\(id.hex)"])
                continue
            }
            let record = ChunkRecord(id: id, size: Int64(identity.size), storedAt: now, lastVerified: now)
            try withDatabase("index recovered chunk", chunk: id) {
                try database.write { db in try record.insert(db, onConflict: .ignore) }
            }
            report.filesIndexed += 1
        }
    }

    /// Every well-named chunk file with its size. Anything else under `chunks/` that is a file
    /// is moved to quarantine: it cannot be a chunk, and the store deletes nothing it did not write.
    private func scanChunkFiles(_ report: inout RecoveryReport) throws(ChunkStoreError) -> [StoredChunkID: Int64] {
        var files: [StoredChunkID: Int64] = [:]
        for outer in try FileSystem.list(layout.chunks) {
            let outerPath = layout.chunks + "/" + outer
            for inner in try FileSystem.list(outerPath) {
                let innerPath = outerPath + "/" + inner
                for name in try FileSystem.list(innerPath) {
                    let path = innerPath + "/" + name
                    guard let identity = try FileSystem.identity(path) else { continue }
                    if let id = StoredChunkID(hex: name), name == id.hex, layout.path(id) == path {
                        files[id] = Int64(identity.size)
                    } else {
                        try FileSystem.move(path, to: quarantinePath(for: name))
                        report.filesQuarantined += 1
                        logger.warning("stray file under chunks/ quarantined", metadata: ["path": "\(path)"])
                    }
                }
            }
        }
        return files
    }
}
