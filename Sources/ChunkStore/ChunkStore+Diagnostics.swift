import GRDB

extension ChunkStore {
    /// Runs SQLite's `PRAGMA integrity_check` and returns its findings; `["ok"]` when sound.
    public func integrityCheck() throws(ChunkStoreError) -> [String] {
        try checkOpen()
        return try withDatabase("integrity check") {
            try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
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
