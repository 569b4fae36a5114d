import Foundation
import GRDB

extension ChunkStore {
    /// Most signers whose records one key may hold; a new signer beyond is refused.
    public static let maximumRecordsPerKey = 1024

    /// Keeps `record` if it is newer than the one held for its (key, signer): the check and
    /// the write are one transaction, so concurrent puts never let an older sequence win.
    /// The caller has verified the signature.
    public func putRecord(_ record: StoredRecord) throws(ChunkStoreError) -> RecordPutOutcome {
        try checkOpen()
        return try withDatabase("put record") {
            try durableWrite { db -> RecordPutOutcome in
                let existing = try StoredRecord.fetchOne(db, key: [
                    StoredRecord.Columns.key.name: record.key.databaseValue,
                    StoredRecord.Columns.signer.name: record.signer.databaseValue,
                ])
                if let existing {
                    guard record.sequence > existing.sequence else { return .alreadyCurrent(sequence: existing.sequence) }
                } else {
                    let count = try StoredRecord.filter(StoredRecord.Columns.key == record.key).fetchCount(db)
                    guard count < Self.maximumRecordsPerKey else { return .keyFull(limit: Self.maximumRecordsPerKey) }
                }
                // Plain REPLACE: GRDB's upsert needs a rowid, and records is WITHOUT ROWID.
                try record.insert(db, onConflict: .replace)
                return .stored
            }
        }
    }

    /// The records held under `key`, by signer, after `signer` (exclusive) when given.
    public func records(key: Data, after signer: Data? = nil, limit: Int = maximumRecordsPerKey) throws(ChunkStoreError) -> [StoredRecord] {
        try checkOpen()
        return try withDatabase("list records") {
            try database.read { db in
                var request = StoredRecord.filter(StoredRecord.Columns.key == key)
                if let signer { request = request.filter(StoredRecord.Columns.signer > signer) }
                return try request.order(StoredRecord.Columns.signer).limit(limit).fetchAll(db)
            }
        }
    }

    /// Distinct record keys after `key` (exclusive), in byte order: a walk over every key
    /// held here, page by page.
    public func recordKeys(after key: Data?, limit: Int) throws(ChunkStoreError) -> [Data] {
        try checkOpen()
        return try withDatabase("list record keys") {
            try database.read { db in
                var request = StoredRecord.select(StoredRecord.Columns.key, as: Data.self).distinct()
                if let key { request = request.filter(StoredRecord.Columns.key > key) }
                return try request.order(StoredRecord.Columns.key).limit(limit).fetchAll(db)
            }
        }
    }
}

extension ChunkStore {
    /// Drops the record of (key, signer) if it still has `sequence` (a newer one that arrived
    /// meanwhile stays). Returns false when nothing was removed.
    @discardableResult
    public func removeRecord(key: Data, signer: Data, sequence: UInt64) throws(ChunkStoreError) -> Bool {
        try checkOpen()
        return try withDatabase("remove record") {
            try database.write { db in
                try StoredRecord
                    .filter(StoredRecord.Columns.key == key && StoredRecord.Columns.signer == signer)
                    .filter(StoredRecord.Columns.sequence == RingPosition.encode(sequence))
                    .deleteAll(db) > 0
            }
        }
    }
}
