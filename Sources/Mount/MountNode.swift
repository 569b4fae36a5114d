import APIModel

/// One name in a mounted tree, as its directory listing describes it. Content is
/// addressed by capability, so a node never changes: its attributes can be cached for good.
public enum MountNode: Sendable, Equatable {
    case directory(capability: String, mode: UInt32, mtimeNanoseconds: Int64)
    case file(capability: String, size: UInt64, mode: UInt32, mtimeNanoseconds: Int64)
    case symlink(target: String, mtimeNanoseconds: Int64)

    /// The node an entry of a listing names; nil for one no mount may show (a bad name,
    /// an unknown type, a file or directory without a capability).
    init?(_ entry: DirectoryDocument.Entry) {
        guard Self.isValidName(entry.name) else { return nil }
        let mode = entry.mode & 0o777  // never setuid, setgid or sticky
        switch entry.type {
        case "file":
            guard let capability = entry.cap else { return nil }
            self = .file(capability: capability, size: entry.size, mode: mode, mtimeNanoseconds: entry.mtimeNanoseconds)
        case "directory":
            // A synced folder's directories have no capability of their own ("").
            self = .directory(capability: entry.cap ?? "", mode: mode, mtimeNanoseconds: entry.mtimeNanoseconds)
        case "symlink":
            guard let target = entry.target, !target.isEmpty, !target.utf8.contains(0) else { return nil }
            self = .symlink(target: target, mtimeNanoseconds: entry.mtimeNanoseconds)
        default:
            return nil
        }
    }

    /// One path component: not empty, not `.` or `..`, no `/` and no NUL.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(0x2F) && !name.utf8.contains(0)
    }

    public var mtimeNanoseconds: Int64 {
        switch self {
        case .directory(_, _, let mtime), .file(_, _, _, let mtime), .symlink(_, let mtime): mtime
        }
    }

    /// Bytes `stat` reports: a file's length, a symlink target's length, 0 for a directory.
    public var size: UInt64 {
        switch self {
        case .file(_, let size, _, _): size
        case .symlink(let target, _): UInt64(target.utf8.count)
        case .directory: 0
        }
    }

    /// `st_blocks`: 512-byte blocks, clamped (a listing may claim any size).
    public var blockCount: Int {
        Int(clamping: size / 512 + (size % 512 == 0 ? 0 : 1))
    }

    /// The modification time as a `timespec`'s parts: floor division, so a time before 1970
    /// has a negative second and a nanosecond in 0..<1e9; never traps, whatever the listing says.
    public var modificationTime: (seconds: Int, nanoseconds: Int) {
        var (seconds, nanoseconds) = mtimeNanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        if nanoseconds < 0 {
            seconds -= 1
            nanoseconds += 1_000_000_000
        }
        return (Int(seconds), Int(nanoseconds))
    }

    /// `st_mode`: type and the stored permission bits, as `ls -l` and `tar` showed them on
    /// the machine that stored the tree (never setuid, setgid or sticky; writes fail with
    /// `EROFS` whatever the bits say, since the mount is read-only).
    public var statMode: UInt32 {
        switch self {
        case .directory(_, let mode, _): 0o040000 | mode
        case .file(_, _, let mode, _): 0o100000 | mode
        case .symlink: 0o120000 | 0o777
        }
    }
}
