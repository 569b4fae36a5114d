import Foundation
import GRDB

extension ChunkStore {
    /// Records that the stored chunk `chunk` belongs on peer `peer` (hinted handoff).
    /// The chunk must be stored here; adding the same hint twice keeps the first time.
    public func addHint(chunk: StoredChunkID, peer: Data, at date: Date? = nil) throws(ChunkStoreError) {
        try checkOpen()
        let hint = HintRecord(chunkID: chunk, peerID: peer, createdAt: date ?? configuration.clock())
        try withDatabase("add hint", chunk: chunk) {
            try durableWrite { db in try hint.insert(db, onConflict: .ignore) }
        }
    }

    /// Hints for one peer, oldest first.
    public func hints(for peer: Data, limit: Int = .max) throws(ChunkStoreError) -> [HintRecord] {
        try checkOpen()
        return try withDatabase("list hints") {
            try database.read { db in
                try HintRecord.filter(HintRecord.Columns.peerID == peer)
                    .order(HintRecord.Columns.createdAt, HintRecord.Columns.chunkID)
                    .limit(limit)
                    .fetchAll(db)
            }
        }
    }

    /// All hints, oldest first.
    /// The peers this store keeps hints for, in byte order.
    public func hintedPeers() throws(ChunkStoreError) -> [Data] {
        try checkOpen()
        return try withDatabase("list hinted peers") {
            try database.read { db in
                try Data.fetchAll(db, HintRecord.select(HintRecord.Columns.peerID).distinct().order(HintRecord.Columns.peerID))
            }
        }
    }

    public func allHints(limit: Int = .max) throws(ChunkStoreError) -> [HintRecord] {
        try checkOpen()
        return try withDatabase("list hints") {
            try database.read { db in
                try HintRecord.order(HintRecord.Columns.createdAt, HintRecord.Columns.chunkID).limit(limit).fetchAll(db)
            }
        }
    }

    /// How many hints are kept, without loading them (for the metrics scrape).
    public func hintCount() throws(ChunkStoreError) -> Int {
        try checkOpen()
        return try withDatabase("count hints") {
            try database.read { db in try HintRecord.fetchCount(db) }
        }
    }

    /// Removes a hint once its chunk has been handed off. Returns false if there was none.
    @discardableResult
    public func removeHint(chunk: StoredChunkID, peer: Data) throws(ChunkStoreError) -> Bool {
        try checkOpen()
        return try withDatabase("remove hint", chunk: chunk) {
            try database.write { db in
                try HintRecord.deleteOne(db, key: [
                    HintRecord.Columns.chunkID.name: chunk.databaseValue,
                    HintRecord.Columns.peerID.name: peer.databaseValue,
                ])
            }
        }
    }
}
