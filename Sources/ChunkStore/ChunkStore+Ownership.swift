import Foundation
import GRDB

/// What this peer stored as an owner (docs/gc.md): each file with the chunks it uses, so that
/// the peer can renew its leases in bulk and release exactly the chunks no other of its
/// files uses. Written with `durableWrite`: a file is acknowledged only once it is listed.
extension ChunkStore {
    /// Lists a file with its chunks (manifest nodes included). Storing the same capability
    /// again from the same source adds chunks it did not list and keeps the first date.
    public func recordOwnedFile(_ file: OwnedFile, chunks: [StoredChunkID]) throws(ChunkStoreError) {
        try recordOwnedFiles([(file, chunks)])
    }

    /// Lists files with their chunks in one durable transaction (a folder's new versions).
    public func recordOwnedFiles(_ files: [(file: OwnedFile, chunks: [StoredChunkID])]) throws(ChunkStoreError) {
        try checkOpen()
        guard !files.isEmpty else { return }
        try withDatabase("record owned files") {
            try durableWrite { db in
                let file = try db.cachedStatement(sql: """
                    INSERT INTO owned_file (capability, size, stored_at, source) VALUES (?, ?, ?, ?)
                    ON CONFLICT (capability, source) DO NOTHING
                    """)
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO owned_chunk (chunk_id, file) VALUES (?, ?)")
                // A chunk in use again must not be released late by an earlier removal.
                let keep = try db.cachedStatement(sql: "DELETE FROM pending_release WHERE chunk_id = ?")
                for (owned, chunks) in files {
                    try file.execute(arguments: [owned.capability, Int64(owned.size), ChunkLease.milliseconds(owned.storedAt), owned.source])
                    let fileID = try Self.ownedFileID(db, capability: owned.capability, source: owned.source) ?? 0
                    for chunk in Set(chunks) {
                        try insert.execute(arguments: [chunk, fileID])
                        try keep.execute(arguments: [chunk])
                    }
                }
            }
        }
    }

    /// Every owned file, oldest first.
    public func ownedFiles() throws(ChunkStoreError) -> [OwnedFile] {
        try checkOpen()
        return try withDatabase("list owned files") {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT capability, size, stored_at, source FROM owned_file ORDER BY stored_at, id")
                    .map { row in
                        OwnedFile(
                            capability: row[0], size: UInt64(max(0, row[1] as Int64)),
                            storedAt: Date(timeIntervalSince1970: Double(row[2] as Int64) / 1000), source: row[3])
                    }
            }
        }
    }

    /// The sources one capability is owned from (`p2p rm` tells a file from a tree).
    public func ownedSources(capability: String) throws(ChunkStoreError) -> Set<String> {
        try checkOpen()
        return try withDatabase("list owned sources") {
            try database.read { db in
                Set(try String.fetchAll(db, sql: "SELECT source FROM owned_file WHERE capability = ?", arguments: [capability]))
            }
        }
    }

    /// The capabilities owned from one source (a synced folder's versions).
    public func ownedCapabilities(source: String) throws(ChunkStoreError) -> Set<String> {
        try checkOpen()
        return try withDatabase("list owned capabilities") {
            try database.read { db in
                Set(try String.fetchAll(db, sql: "SELECT capability FROM owned_file WHERE source = ?", arguments: [source]))
            }
        }
    }

    /// Forgets an owned file stored through the API (`p2p rm`). Returns the chunks that no
    /// other owned file uses (whose leases the caller releases), or nil when the capability
    /// is not owned here from those sources.
    public func removeOwnedFile(
        capability: String, sources: [String] = [OwnedFile.putSource]
    ) throws(ChunkStoreError) -> [StoredChunkID]? {
        let (removed, orphans) = try removeOwnedFiles(capabilities: [capability], sources: sources)
        return removed == 0 ? nil : orphans
    }

    /// Forgets owned files listed from `sources`; returns how many rows went and the chunks
    /// that no remaining owned file uses.
    public func removeOwnedFiles(
        capabilities: [String], sources: [String]
    ) throws(ChunkStoreError) -> (removed: Int, orphans: [StoredChunkID]) {
        try checkOpen()
        guard !capabilities.isEmpty else { return (0, []) }
        return try withDatabase("remove owned files") {
            try durableWrite { db in
                var removed = 0
                var candidates: Set<StoredChunkID> = []
                let chunks = try db.cachedStatement(sql: "SELECT chunk_id FROM owned_chunk WHERE file = ?")
                let delete = try db.cachedStatement(sql: "DELETE FROM owned_file WHERE id = ?")
                for capability in Set(capabilities) {
                    for source in Set(sources) {
                        guard let fileID = try Self.ownedFileID(db, capability: capability, source: source) else { continue }
                        candidates.formUnion(try StoredChunkID.fetchAll(chunks, arguments: [fileID]))
                        try delete.execute(arguments: [fileID])
                        removed += 1
                    }
                }
                let used = try db.cachedStatement(sql: "SELECT 1 FROM owned_chunk WHERE chunk_id = ? LIMIT 1")
                let orphans = try candidates.filter { try Int.fetchOne(used, arguments: [$0]) == nil }
                return (removed, orphans.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
            }
        }
    }

    private static func ownedFileID(_ db: Database, capability: String, source: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM owned_file WHERE capability = ? AND source = ?", arguments: [capability, source])
    }

    /// One page of the distinct chunks of owned files, in id order after `cursor` (the
    /// renewal walk).
    public func ownedChunks(after cursor: StoredChunkID?, limit: Int) throws(ChunkStoreError) -> [StoredChunkID] {
        try checkOpen()
        return try withDatabase("page owned chunks") {
            try database.read { db in
                try StoredChunkID.fetchAll(
                    db, sql: "SELECT DISTINCT chunk_id FROM owned_chunk WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?",
                    arguments: [cursor.map { Data($0.bytes) } ?? Data(), limit])
            }
        }
    }

    // MARK: Releases still to deliver

    /// Remembers that `peer` was not told to end this owner's leases on `ids`.
    public func addPendingReleases(_ ids: [StoredChunkID], peer: Data) throws(ChunkStoreError) {
        try checkOpen()
        try withDatabase("record pending releases") {
            try database.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO pending_release (peer, chunk_id) VALUES (?, ?)")
                for id in ids { try insert.execute(arguments: [peer, id]) }
            }
        }
    }

    /// Up to `limit` releases still to deliver, grouped by peer.
    public func pendingReleases(limit: Int) throws(ChunkStoreError) -> [Data: [StoredChunkID]] {
        try checkOpen()
        return try withDatabase("read pending releases") {
            try database.read { db in
                var pending: [Data: [StoredChunkID]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT peer, chunk_id FROM pending_release ORDER BY peer, chunk_id LIMIT ?", arguments: [limit]) {
                    pending[row[0], default: []].append(row[1])
                }
                return pending
            }
        }
    }

    /// Those of `ids` still to deliver to `peer`.
    public func pendingReleases(_ ids: [StoredChunkID], peer: Data) throws(ChunkStoreError) -> [StoredChunkID] {
        try checkOpen()
        return try withDatabase("read pending releases") {
            try database.read { db in
                let pending = try db.cachedStatement(sql: "SELECT 1 FROM pending_release WHERE peer = ? AND chunk_id = ?")
                return try ids.filter { try Int.fetchOne(pending, arguments: [peer, $0]) != nil }
            }
        }
    }

    /// Forgets releases that were delivered.
    public func removePendingReleases(_ ids: [StoredChunkID], peer: Data) throws(ChunkStoreError) {
        try checkOpen()
        try withDatabase("remove pending releases") {
            try database.write { db in
                let delete = try db.cachedStatement(sql: "DELETE FROM pending_release WHERE peer = ? AND chunk_id = ?")
                for id in ids { try delete.execute(arguments: [peer, id]) }
            }
        }
    }
}
