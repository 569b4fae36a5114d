#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A new file being written so that it can be published durably: created exclusively,
/// written completely, then `fsync`ed before anyone renames it into view.
///
/// Non-copyable so the descriptor has exactly one owner; `deinit` closes it, so a thrown
/// error part-way leaves no leaked descriptor (the caller removes the temp file).
package struct DurableFile<Failure: FileSystemFailure>: ~Copyable {
    private let descriptor: Int32

    /// Creates `path`, which must not exist (`O_EXCL`), with `mode` (0644 by default).
    init(creatingExclusively path: String, mode: mode_t = 0o644) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileSystem<Failure>.error("open", path: path) }
        self.descriptor = descriptor
    }

    deinit { _ = close(descriptor) }

    /// Writes all of `buffer`, retrying short writes and `EINTR`.
    func writeAll(_ buffer: UnsafeRawBufferPointer, path: String) throws(Failure) {
        try FileSystem<Failure>.writeAll(buffer, to: descriptor, path: path)
    }

    /// Flushes the file's data and metadata to stable storage.
    func sync(path: String) throws(Failure) {
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw FileSystem<Failure>.error("fsync", path: path)
        }
    }

    /// Writes `bytes` to a new file at `path` and syncs it; removes the file on failure.
    /// The caller then renames it into place and syncs the destination directory.
    package static func create(_ path: String, contents bytes: UnsafeRawBufferPointer, mode: mode_t = 0o644) throws(Failure) {
        do throws(Failure) {
            let file = try DurableFile(creatingExclusively: path, mode: mode)
            try file.writeAll(bytes, path: path)
            try file.sync(path: path)
        } catch {
            FileSystem<Failure>.removeIfPresent(path)
            throw error
        }
    }

    /// `create(_:contents:)` for an array.
    package static func create(_ path: String, contents bytes: [UInt8], mode: mode_t = 0o644) throws(Failure) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(Failure) in try create(path, contents: buffer, mode: mode) }
        }
        try result.get()
    }
}
