import GRDB

/// One row of the `meta` table: small facts about the store itself.
struct MetaRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"

    /// Known keys.
    enum Key {
        /// Always `p2pstore-chunkstore`: guards against opening some other SQLite file.
        static let format = "format"
        /// The `ChunkLayout.version` the files under `chunks/` follow.
        static let layoutVersion = "layout_version"
        /// `1` after a clean `close()`, `0` while open; `0` at open means reconcile files and index.
        static let cleanShutdown = "clean_shutdown"
    }

    static let formatName = "p2pstore-chunkstore"

    var key: String
    var value: String

    enum Columns {
        static let key = Column(CodingKeys.key)
        static let value = Column(CodingKeys.value)
    }

    static func value(_ db: Database, for key: String) throws -> String? {
        try MetaRecord.fetchOne(db, key: key)?.value
    }

    static func set(_ db: Database, _ key: String, to value: String) throws {
        // Plain REPLACE: GRDB's upsert needs a rowid, and meta is WITHOUT ROWID.
        try MetaRecord(key: key, value: value).insert(db, onConflict: .replace)
    }
}
