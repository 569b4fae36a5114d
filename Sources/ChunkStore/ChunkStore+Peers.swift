import Foundation
import GRDB

extension ChunkStore {
    /// Inserts or replaces a peer's address-book entry.
    public func upsertPeer(_ peer: PeerRecord) throws(ChunkStoreError) {
        try checkOpen()
        try withDatabase("upsert peer") {
            // REPLACE rather than GRDB's upsert, which needs a rowid (peer is WITHOUT ROWID).
            try database.write { db in try peer.insert(db, onConflict: .replace) }
        }
    }

    /// Every known peer, by NodeID.
    public func peers() throws(ChunkStoreError) -> [PeerRecord] {
        try checkOpen()
        return try withDatabase("list peers") {
            try database.read { db in try PeerRecord.order(PeerRecord.Columns.nodeID).fetchAll(db) }
        }
    }

    /// One peer's entry, or nil.
    public func peer(_ nodeID: Data) throws(ChunkStoreError) -> PeerRecord? {
        try checkOpen()
        return try withDatabase("fetch peer") {
            try database.read { db in try PeerRecord.fetchOne(db, key: nodeID) }
        }
    }

    /// Forgets a peer. Returns false if it was not known.
    @discardableResult
    public func removePeer(_ nodeID: Data) throws(ChunkStoreError) -> Bool {
        try checkOpen()
        return try withDatabase("remove peer") {
            try database.write { db in try PeerRecord.deleteOne(db, key: nodeID) }
        }
    }
}
