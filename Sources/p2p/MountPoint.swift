import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory to mount on, checked before mounting: it exists, is a directory, is empty
/// (unless allowed), and is not already mounted. A stale mount left by a mount process
/// that died (every access fails with `ENOTCONN`) is cleaned away first.
struct MountPoint {
    /// Absolute, as `/proc/self/mountinfo` names it: the parent directory with its symlinks
    /// resolved, then the last component as given (a stale mount itself cannot be resolved).
    let path: String

    /// The file system type `p2p mount` mounts as (`/proc/self/mountinfo`).
    static let fileSystemType = "fuse.p2p"

    init(_ path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let standardized = URL(fileURLWithPath: absolute).standardizedFileURL
        let name = standardized.lastPathComponent
        let parent = standardized.deletingLastPathComponent().path
        guard name != "/", let resolved = realpath(parent, nil) else {
            self.path = standardized.path
            return
        }
        defer { free(resolved) }
        let directory = String(cString: resolved)
        self.path = directory == "/" ? "/" + name : directory + "/" + name
    }

    /// Checks the directory; a stale p2p mount on it is unmounted (and said so on stderr).
    func prepare(allowNonempty: Bool) throws {
        if let mount = Self.mounts().first(where: { $0.point == path }) {
            guard mount.type == Self.fileSystemType, isStale else {
                throw CLIError.badInput("\(path) is already a mount point (\(mount.type)); `p2p umount \(path)` first")
            }
            try unmount(lazy: true)
            FileHandle.standardError.write(Data("p2p: cleaned up a stale mount at \(path) (its mount process had died)\n".utf8))
        }
        var attributes = stat()
        guard stat(path, &attributes) == 0 else {
            throw CLIError.badInput("cannot mount on \(path): \(String(cString: strerror(errno)))")
        }
        guard attributes.st_mode & S_IFMT == S_IFDIR else { throw CLIError.badInput("cannot mount on \(path): not a directory") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !entries.isEmpty && !allowNonempty {
            throw CLIError.badInput("\(path) is not empty: mounting would hide its \(entries.count) entries (--allow-nonempty to do it anyway)")
        }
    }

    /// A mount whose process is gone: every access fails with `ENOTCONN` (attributes the
    /// kernel cached may still answer `stat`, so the directory is opened).
    private var isStale: Bool {
        guard let directory = opendir(path) else { return errno == ENOTCONN }
        closedir(directory)
        return false
    }

    /// Whether a p2p mount is on this path now.
    var isMounted: Bool { Self.mounts().contains { $0.point == path && $0.type == Self.fileSystemType } }

    /// Unmounts a p2p mount; refuses any other path. `lazy` detaches a busy or stale mount.
    func unmount(lazy: Bool = false) throws {
        guard isMounted else { throw CLIError.badInput("\(path) is not a p2p mount") }
        if getuid() == 0 {
            guard umount2(path, lazy ? Int32(MNT_DETACH) : 0) == 0 else {
                let code = errno
                if code == EBUSY { throw CLIError.failure("\(path) is busy: a program still has a file or directory under it open") }
                throw CLIError.failure("cannot unmount \(path): \(String(cString: strerror(code)))")
            }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/fusermount3")
        process.arguments = lazy ? ["-uz", path] : ["-u", path]
        do { try process.run() } catch { throw CLIError.failure("cannot run fusermount3 (apt-get install fuse3): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError.failure("fusermount3 could not unmount \(path)") }
    }

    /// The mounts of this process's namespace: mount point and file system type.
    static func mounts() -> [(point: String, type: String)] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { return nil }
            return (unescape(fields[4]), String(fields[separator + 1]))
        }
    }

    /// mountinfo's octal escapes (`\040` for a space) undone.
    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == 0x5C, utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
