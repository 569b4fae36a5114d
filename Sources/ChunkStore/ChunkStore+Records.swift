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
                // Statements kept prepared: a record is put on every holder at each write
                // of a folder index or a bucket, and building SQL each time cost more than
                // running it.
                let current = try db.cachedStatement(sql: "SELECT sequence FROM records WHERE key = ? AND signer = ?")
                if let stored = try Int64.fetchOne(current, arguments: [record.key, record.signer]) {
                    let existing = RingPosition.decode(stored)
                    guard record.sequence > existing else { return .alreadyCurrent(sequence: existing) }
                } else {
                    let signers = try db.cachedStatement(sql: "SELECT COUNT(*) FROM records WHERE key = ?")
                    let count = try Int.fetchOne(signers, arguments: [record.key]) ?? 0
                    guard count < Self.maximumRecordsPerKey else { return .keyFull(limit: Self.maximumRecordsPerKey) }
                }
                // Plain REPLACE: records is WITHOUT ROWID, and (key, signer) its primary key.
                let replace = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO records (key, signer, sequence, payload, signature, owner, endorsement, stored_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                try replace.execute(arguments: [
                    record.key, record.signer, record.storedSequence, record.payload, record.signature, record.owner,
                    record.endorsement, ChunkLease.milliseconds(record.storedAt),
                ])
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
