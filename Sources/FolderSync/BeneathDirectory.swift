import FolderKeys

#if canImport(Glibc)
import Glibc
#endif

/// An open directory inside a synced folder, reached from the folder's root one path
/// component at a time with `O_NOFOLLOW`, so no name a remote device sends — whatever
/// symlinks or files stand where it expects directories, whatever is swapped while it is
/// applied — resolves to anything outside the folder. Every operation is relative to the
/// descriptor (`*at` calls) and acts on a single name in it, never following a symlink.
final class BeneathDirectory: Sendable {
    let descriptor: Int32
    /// The directory, relative to the folder root ("" for the root): for messages.
    let relative: String

    private init(descriptor: Int32, relative: String) {
        self.descriptor = descriptor
        self.relative = relative
    }

    deinit { close(descriptor) }

    /// The folder's root itself (which may be reached through a symlink the user chose).
    static func root(_ path: String) throws(FolderSyncError) -> BeneathDirectory {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open folder", errno: errno) }
        return BeneathDirectory(descriptor: fd, relative: "")
    }

    /// Why a relative path cannot be reached inside the folder.
    enum Refusal: Error, Equatable {
        /// A component is missing (and was not to be created).
        case missing
        /// A component is a symlink, a file or something else that is not a directory.
        case notADirectory(String)
    }

    /// The directory `components` name below this one, opened without following any
    /// symlink; missing ones are made (mode 0755 before the umask) when `create`.
    func descend(_ components: some Sequence<Substring>, create: Bool) throws -> BeneathDirectory {
        var current = self
        for component in components {
            let name = String(component)
            let below = current.relative.isEmpty ? name : current.relative + "/" + name
            var fd = openat(current.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT {
                guard create else { throw Refusal.missing }
                if mkdirat(current.descriptor, name, 0o755) != 0 && errno != EEXIST {
                    throw FolderSyncError.io(path: below, operation: "mkdir", errno: errno)
                }
                fsync(current.descriptor)
                // What stands there now, made by us or not, must itself be a directory.
                fd = openat(current.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard fd >= 0 else {
                if errno == ELOOP || errno == ENOTDIR { throw Refusal.notADirectory(below) }
                if errno == ENOENT { throw Refusal.missing }
                throw FolderSyncError.io(path: below, operation: "open directory", errno: errno)
            }
            current = BeneathDirectory(descriptor: fd, relative: below)
        }
        return current
    }

    /// The directory that holds the last component of `relative`, and that name.
    func parent(of relative: String, create: Bool) throws -> (BeneathDirectory, String) {
        let parts = relative.split(separator: "/")
        return (try descend(parts.dropLast(), create: create), String(parts.last ?? ""))
    }

    func path(_ name: String) -> String { relative.isEmpty ? name : relative + "/" + name }

    // MARK: operations on one name

    func stat(_ name: String) -> DiskEntry? {
        DiskEntry.inDirectory(descriptor, name: name)
    }

    func unlink(_ name: String, directory: Bool) -> Int32 {
        unlinkat(descriptor, name, directory ? AT_REMOVEDIR : 0)
    }

    func makeDirectory(_ name: String, mode: UInt32) -> Int32 {
        mkdirat(descriptor, name, mode_t(mode))
    }

    func makeSymlink(_ name: String, target: String) -> Int32 {
        symlinkat(target, descriptor, name)
    }

    /// A new file, created exclusively (never through an existing name or a symlink).
    func createFile(_ name: String) -> Int32 {
        openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    }

    /// An existing regular file, for reading, or -1.
    func openFile(_ name: String) -> Int32 {
        openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    }

    func rename(_ name: String, to newName: String) -> Int32 {
        renameat(descriptor, name, descriptor, newName)
    }

    /// Gives `newName` to what `name` is, failing with `EEXIST` rather than replacing
    /// anything (a hard link then an unlink: a crash between leaves both names, never none).
    func renameWithoutReplacing(_ name: String, to newName: String) -> Int32 {
        guard linkat(descriptor, name, descriptor, newName, 0) == 0 else { return -1 }
        return unlinkat(descriptor, name, 0)
    }

    /// Sets the permission bits of the file or directory `name` without following a
    /// symlink there (Linux has no `lchmod`: the inode is reached through an `O_PATH`
    /// descriptor checked to be no symlink).
    func setMode(_ name: String, _ mode: UInt32) -> Int32 {
        let fd = openat(descriptor, name, Self.pathOnly | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else { return -1 }
        guard info.st_mode & S_IFMT != S_IFLNK else {
            errno = ELOOP
            return -1
        }
        let result = fchmodat(AT_FDCWD, "/proc/self/fd/\(fd)", mode_t(mode), 0)
        guard result != 0, errno == ENOENT else { return result }
        // No /proc: the name was a directory or file an instant ago, and only our own
        // applies (one per path) change it.
        return fchmodat(descriptor, name, mode_t(mode), 0)
    }

    /// Sets a name's modification (and access) time, not following a symlink.
    func setModified(_ name: String, nanoseconds: Int64) -> Int32 {
        let times = [Self.timespec(nanoseconds), Self.timespec(nanoseconds)]
        return utimensat(descriptor, name, times, AT_SYMLINK_NOFOLLOW)
    }

    /// Linux's `O_PATH` (a descriptor that names an inode without opening it), which
    /// Glibc declares only under `_GNU_SOURCE`.
    private static let pathOnly: Int32 = 0o10000000

    /// Makes this directory's entries durable.
    func sync() {
        fsync(descriptor)
    }

    /// A nanosecond count as a `timespec`, for every Int64 (floor division, no overflow).
    static func timespec(_ nanoseconds: Int64) -> Glibc.timespec {
        var (seconds, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        if remainder < 0 {
            seconds -= 1
            remainder += 1_000_000_000
        }
        return Glibc.timespec(tv_sec: Int(seconds), tv_nsec: Int(remainder))
    }
}
