import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX wrappers that report failures with the path and errno, as a ``FileSystemError``
/// or as the caller's own error made from one (the chunk store's `ChunkStoreError`).
package enum FileSystem<Failure: FileSystemFailure> {
    /// Identifies one file (not one name): used to notice that a name was replaced meanwhile.
    package struct Identity: Equatable {
        package var device: UInt64
        package var inode: UInt64
        package var size: Int
    }

    package static func error(_ call: String, path: String) -> Failure {
        let code = errno
        return Failure(FileSystemError(.io, path: path, errno: code, detail: "\(call): \(String(cString: strerror(code)))"))
    }

    /// Writes all of `buffer` to `descriptor`, retrying short writes and `EINTR`.
    package static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws(Failure) {
        guard var next = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw error("write", path: path)
            }
            next += written
            remaining -= written
        }
    }

    /// Reads a whole file; nil when it does not exist.
    package static func readFile(_ path: String) throws(Failure) -> (bytes: [UInt8], identity: Identity)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw error("open", path: path)
        }
        defer { _ = close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw error("fstat", path: path) }
        let identity = Identity(info)
        let size = identity.size
        guard size > 0 else { return ([], identity) }
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            // The buffer of a non-empty array always has a base address.
            let base = buffer.baseAddress!
            while count < size {
                let got = read(descriptor, base + count, size - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = error("read", path: path)
                    return
                }
                if got == 0 { return }  // Shrunk under us: the short read fails verification.
                count += got
            }
        }
        if let failure { throw failure }
        return (bytes, identity)
    }

    /// The identity of the file at `path` without following symlinks; nil when absent.
    package static func identity(_ path: String) throws(Failure) -> Identity? {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw error("lstat", path: path)
        }
        return Identity(info)
    }

    package static func move(_ source: String, to destination: String) throws(Failure) {
        guard rename(source, destination) == 0 else { throw error("rename to \(destination)", path: source) }
    }

    /// Removes a file; true if it existed.
    @discardableResult
    package static func remove(_ path: String) throws(Failure) -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw error("unlink", path: path)
    }

    /// Best-effort removal on an error path, where the first error is the one to report.
    package static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }

    /// Creates a directory; false if it already existed.
    @discardableResult
    package static func makeDirectory(_ path: String) throws(Failure) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw error("mkdir", path: path)
    }

    /// Makes a directory's entries (creations, renames into it) durable.
    package static func syncDirectory(_ path: String) throws(Failure) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw error("open directory", path: path) }
        defer { _ = close(descriptor) }
        while fsync(descriptor) != 0 {
            if errno == EINTR { continue }
            // Some file systems refuse fsync on directories; they order metadata themselves.
            if errno == EINVAL { return }
            throw error("fsync directory", path: path)
        }
    }

    /// Names in a directory (not `.`/`..`); empty when the directory does not exist.
    package static func list(_ path: String) throws(Failure) -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw error("opendir", path: path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Takes an exclusive `flock` on `path` (created if needed) and returns the descriptor,
    /// which holds the lock until closed. The kernel drops it when the process dies.
    package static func lockExclusively(_ path: String) throws(Failure) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw error("open", path: path) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let failure: Failure =
                errno == EWOULDBLOCK
                ? Failure(FileSystemError(.locked, path: path, detail: "another process has this store open"))
                : error("flock", path: path)
            _ = close(descriptor)
            throw failure
        }
        return descriptor
    }

    package static func unlock(_ descriptor: Int32) {
        _ = close(descriptor)
    }
}

extension FileSystem.Identity {
    init(_ info: stat) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size))
    }
}
