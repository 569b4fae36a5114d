#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file writes for small files (configuration, keys, secrets):
/// temp file → fsync → rename → fsync directory. A reader sees the old file or the new
/// one, never a mix; secrets get mode 0600 from their first byte on disk.
public enum DurableWrite {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(FileSystemError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let temporary = path + ".tmp-\(getpid())"
        FileSystem<FileSystemError>.removeIfPresent(temporary)
        try DurableFile<FileSystemError>.create(temporary, contents: bytes, mode: mode)
        do throws(FileSystemError) {
            try FileSystem<FileSystemError>.move(temporary, to: path)
        } catch {
            FileSystem<FileSystemError>.removeIfPresent(temporary)
            throw error
        }
        try FileSystem<FileSystemError>.syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Reads a whole small file; nil when it does not exist.
    public static func read(_ path: String) throws(FileSystemError) -> [UInt8]? {
        try FileSystem<FileSystemError>.readFile(path)?.bytes
    }
}
