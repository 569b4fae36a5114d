#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file writes for small files (configuration, keys, secrets):
/// temp file → fsync → rename → fsync directory. A reader sees the old file or the new
/// one, never a mix; secrets get mode 0600 from their first byte on disk.
public enum DurableWrite {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(ChunkStoreError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let temporary = path + ".tmp-\(getpid())"
        FileSystem.removeIfPresent(temporary)
        try DurableFile.create(temporary, contents: bytes, mode: mode)
        do throws(ChunkStoreError) {
            try FileSystem.move(temporary, to: path)
        } catch {
            FileSystem.removeIfPresent(temporary)
            throw error
        }
        try FileSystem.syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Reads a whole small file; nil when it does not exist.
    public static func read(_ path: String) throws(ChunkStoreError) -> [UInt8]? {
        try FileSystem.readFile(path)?.bytes
    }
}
