/// One path of a folder as a device knows it: what it is, its content and metadata, and
/// the version of this state. A deleted path stays as a tombstone so the deletion
/// travels and wins against older versions.
public struct IndexEntry: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        case file = 1, directory = 2, symlink = 3
    }

    /// Relative to the folder root, `/`-separated, never empty, no `.` or `..` parts.
    public var path: String
    public var kind: Kind
    /// Permission bits (`0o777` at most: setuid, setgid and sticky never sync); not used for symlinks.
    public var mode: UInt32
    /// Modification time in nanoseconds since 1970 (files; 0 for directories and symlinks).
    public var modifiedNanoseconds: Int64
    public var size: UInt64
    /// The file's capability (`p2p1:…`) — convergent, so equal content has an equal one.
    public var capability: String
    /// A symlink's target, as stored in the link; never followed.
    public var symlinkTarget: String
    public var deleted: Bool
    public var version: VersionVector
    /// The device that made the change this version records (the conflict tie-break).
    public var modifiedBy: DeviceShortID

    public init(
        path: String, kind: Kind, mode: UInt32 = 0o644, modifiedNanoseconds: Int64 = 0, size: UInt64 = 0,
        capability: String = "", symlinkTarget: String = "", deleted: Bool = false,
        version: VersionVector = VersionVector(), modifiedBy: DeviceShortID = 0
    ) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.modifiedNanoseconds = modifiedNanoseconds
        self.size = size
        self.capability = capability
        self.symlinkTarget = symlinkTarget
        self.deleted = deleted
        self.version = version
        self.modifiedBy = modifiedBy
    }

    /// This entry deleted by `device`: a tombstone at the next version it makes.
    public func deletion(by device: DeviceShortID) -> IndexEntry {
        var tombstone = self
        tombstone.deleted = true
        tombstone.capability = ""
        tombstone.size = 0
        tombstone.version = version.incremented(by: device)
        tombstone.modifiedBy = device
        return tombstone
    }

    /// Whether two entries describe the same state on disk (versions aside).
    public func hasSameContent(as other: IndexEntry) -> Bool {
        deleted == other.deleted && (deleted || (
            kind == other.kind && capability == other.capability && symlinkTarget == other.symlinkTarget
                && (kind == .symlink || mode == other.mode)
                && (kind != .file || modifiedNanoseconds == other.modifiedNanoseconds)))
    }

    /// Whether a relative path is acceptable from the network: no escaping the folder,
    /// no absolute paths, no empty or dot parts, no NUL.
    public static func isSafe(path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 4096, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.utf8.count <= 255
        }
    }
}
