/// Where things live under a store's root directory (layout version 2):
///
/// ```
/// <root>/LOCK                      flock held while a process has the store open
/// <root>/index.sqlite (+ -wal, -shm) metadata (see docs/storage.md)
/// <root>/segments/<8 hex>.seg      append-only chunk records (`SegmentRecord`), numbered from 1
/// <root>/tmp/                      temp files; swept on open
/// <root>/quarantine/<hex>.<ms>.<n> bytes of chunks that failed verification, kept for diagnosis
/// ```
///
/// Layout version 1 kept one file per chunk under `chunks/ab/cd/<64 hex>`; opening such a
/// store moves those files into segments (`ChunkStore.importLayoutOneFiles`).
struct ChunkLayout: Sendable {
    /// The on-disk layout version, recorded in the `meta` table.
    static let version = 2

    let root: String
    let segments: String
    let temporary: String
    let quarantine: String
    let database: String
    let lock: String
    /// Layout 1's chunk files, read once to import them.
    let legacyChunks: String

    init(root: String) {
        let root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.root = root
        segments = root + "/segments"
        legacyChunks = root + "/chunks"
        temporary = root + "/tmp"
        quarantine = root + "/quarantine"
        database = root + "/index.sqlite"
        lock = root + "/LOCK"
    }

    /// `chunks/ab/cd/<hex>`, where layout 1 kept a chunk.
    func legacyPath(_ id: StoredChunkID) -> String {
        let hex = id.hex
        return legacyChunks + "/" + hex.prefix(2) + "/" + hex.dropFirst(2).prefix(2) + "/" + hex
    }
}
