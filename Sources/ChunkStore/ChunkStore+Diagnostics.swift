import GRDB

extension ChunkStore {
    /// Runs SQLite's `PRAGMA integrity_check` and returns its findings; `["ok"]` when sound.
    public func integrityCheck() throws(ChunkStoreError) -> [String] {
        try checkOpen()
        return try withDatabase("integrity check") {
            try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        }
    }

    /// `PRAGMA integrity_check` of an SQLite database opened read-only, without opening a
    /// store (no lock taken, no recovery, no migration: `p2pd check`, beside a running
    /// daemon too). `["ok"]` when it is intact; otherwise what SQLite found, or why the file
    /// cannot be read as a database.
    public static func integrityCheck(ofDatabaseAt path: String) -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        } catch {
            return ["\(error)"]
        }
    }

    /// Names of files in `tmp/` right now (empty when idle; all are swept on open).
    public func temporaryFiles() throws(ChunkStoreError) -> [String] {
        try FileSystem.list(layout.temporary)
    }

    /// Names of files in `quarantine/`.
    public func quarantinedFiles() throws(ChunkStoreError) -> [String] {
        try FileSystem.list(layout.quarantine)
    }
}
