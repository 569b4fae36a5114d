import Foundation
import GRDB
import OpenSSLKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ChunkStore {
    /// Moves the chunk files of layout 1 (`chunks/ab/cd/<hex>`, one file per chunk) into
    /// segments, in batches of group commits; each file is unlinked only once its record is
    /// synced and indexed, so a crash part-way simply resumes at the next open. A file that
    /// does not verify, or is not named like a chunk, is quarantined; a row of layout 1 whose
    /// file is gone is dropped. Hints and other rows keep referring to the same chunk id.
    func importLayoutOneFiles(_ report: inout RecoveryReport) throws(ChunkStoreError) {
        var batch: [(write: GroupCommit.Write, path: String)] = []
        var batchBytes = 0
        func flush(_ report: inout RecoveryReport) throws(ChunkStoreError) {
            guard !batch.isEmpty else { return }
            let results = commitBatch(batch.map(\.write))
            for ((_, path), result) in zip(batch, results) {
                _ = try result.get()
                try FileSystem.remove(path)
                report.filesImported += 1
            }
            batch = []
            batchBytes = 0
        }
        for outer in try FileSystem.list(layout.legacyChunks) {
            let outerPath = layout.legacyChunks + "/" + outer
            for inner in try FileSystem.list(outerPath) {
                let innerPath = outerPath + "/" + inner
                for name in try FileSystem.list(innerPath) {
                    let path = innerPath + "/" + name
                    guard let (bytes, _) = try FileSystem.readFile(path) else { continue }
                    guard let id = StoredChunkID(hex: name), layout.legacyPath(id) == path,
                          SHA256.hash(bytes) == id.bytes
                    else {
                        try FileSystem.move(path, to: quarantinePath(for: name))
                        report.filesQuarantined += 1
                        logger.warning("a layout 1 file that is not a valid chunk was quarantined", metadata: ["path": "\(path)"])
                        continue
                    }
                    batch.append((GroupCommit.Write(id: id, bytes: bytes, leases: [.pin]) { _ in }, path))
                    batchBytes += bytes.count
                    if batchBytes >= configuration.maximumBatchBytes { try flush(&report) }
                }
                try flush(&report)
                _ = rmdir(innerPath)
            }
            _ = rmdir(outerPath)
        }
        try flush(&report)
        if let stray = try? FileSystem.list(layout.legacyChunks), !stray.isEmpty {
            for name in stray {
                try FileSystem.move(layout.legacyChunks + "/" + name, to: quarantinePath(for: name))
                report.filesQuarantined += 1
            }
        }
        _ = rmdir(layout.legacyChunks)
        report.rowsDropped += try withDatabase("drop rows without a file") {
            try database.write { db in
                try db.execute(sql: "DELETE FROM chunk WHERE segment IS NULL")
                return db.changesCount
            }
        }
    }
}
