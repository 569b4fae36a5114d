/// Where things live under a store's root directory (layout version 1):
///
/// ```
/// <root>/LOCK                      flock held while a process has the store open
/// <root>/index.sqlite (+ -wal, -shm) metadata (see docs/storage.md)
/// <root>/chunks/ab/cd/<64 hex>     one file per chunk; ab, cd = first two id bytes
/// <root>/tmp/                      temp files being written; swept on open
/// <root>/quarantine/<hex>.<ms>.<n> chunk files that failed verification, kept for diagnosis
/// ```
///
/// `tmp/` is on the same file system as `chunks/`, so the final `rename` is atomic.
/// Two levels of 256 directories keep each directory small (≈15 files per leaf at 1M chunks).
struct ChunkLayout: Sendable {
    /// The on-disk layout version, recorded in the `meta` table.
    static let version = 1

    let root: String
    let chunks: String
    let temporary: String
    let quarantine: String
    let database: String
    let lock: String

    init(root: String) {
        let root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.root = root
        chunks = root + "/chunks"
        temporary = root + "/tmp"
        quarantine = root + "/quarantine"
        database = root + "/index.sqlite"
        lock = root + "/LOCK"
    }

    /// `chunks/ab`, the first-level directory of an id.
    func outerDirectory(_ id: StoredChunkID) -> String {
        chunks + "/" + hexByte(id.bytes[0])
    }

    /// `chunks/ab/cd`, the directory that holds the chunk file.
    func directory(_ id: StoredChunkID) -> String {
        outerDirectory(id) + "/" + hexByte(id.bytes[1])
    }

    /// `chunks/ab/cd/<hex>`.
    func path(_ id: StoredChunkID) -> String {
        directory(id) + "/" + id.hex
    }

    /// The index (0..<65536) of an id's leaf directory, for bookkeeping.
    static func directoryIndex(_ id: StoredChunkID) -> Int {
        Int(id.bytes[0]) << 8 | Int(id.bytes[1])
    }

    private func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
