#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lstat` says of one path: enough to tell, without reading it, whether a file
/// changed since the index recorded it.
public struct DiskEntry: Sendable, Hashable {
    public var kind: IndexEntry.Kind
    public var mode: UInt32
    public var modifiedNanoseconds: Int64
    public var size: UInt64
    public var inode: UInt64
    public var symlinkTarget: String

    /// The path's state, not following a final symlink; nil when absent or of another kind
    /// (devices, sockets, fifos are not synced).
    public static func lstat(_ path: String) -> DiskEntry? {
        var info = stat()
        guard Glibc.lstat(path, &info) == 0 else { return nil }
        return DiskEntry(info, symlinkTarget: { readLink(at: AT_FDCWD, path) })
    }

    /// Like `lstat`, for `name` inside an open directory (a symlink's target read there too).
    static func inDirectory(_ directory: Int32, name: String) -> DiskEntry? {
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return DiskEntry(info, symlinkTarget: { readLink(at: directory, name) })
    }

    init?(_ info: stat, symlinkTarget: () -> String?) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: return nil
        }
        // Only the permission bits sync (as Syncthing's): setuid, setgid and sticky stay local.
        mode = UInt32(info.st_mode & 0o777)
        modifiedNanoseconds = kind == .file ? Self.nanoseconds(info.st_mtim) : 0
        size = kind == .file ? UInt64(info.st_size) : 0
        inode = UInt64(info.st_ino)
        if kind == .symlink {
            guard let target = symlinkTarget() else { return nil }
            self.symlinkTarget = target
        } else {
            self.symlinkTarget = ""
        }
    }

    /// A file time as nanoseconds since 1970, saturated at Int64's range (years before
    /// 1678 or after 2262), so no date on disk traps.
    static func nanoseconds(_ time: timespec) -> Int64 {
        let (scaled, overflow) = Int64(time.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return time.tv_sec < 0 ? .min : .max }
        let (sum, overflowAdding) = scaled.addingReportingOverflow(Int64(time.tv_nsec))
        return overflowAdding ? .max : sum
    }

    static func readLink(at directory: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlinkat(directory, name, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the disk still holds what `entry` recorded (content and metadata).
    public func matches(_ entry: IndexEntry, inode recordedInode: UInt64) -> Bool {
        guard !entry.deleted, kind == entry.kind else { return false }
        switch kind {
        case .file:
            return size == entry.size && modifiedNanoseconds == entry.modifiedNanoseconds && mode == entry.mode && inode == recordedInode
        case .directory:
            return mode == entry.mode
        case .symlink:
            return symlinkTarget == entry.symlinkTarget
        }
    }
}
