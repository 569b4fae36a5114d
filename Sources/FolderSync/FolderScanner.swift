import FolderKeys

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a folder and reports every path that is not ignored, with its `lstat` — no file
/// is opened, so a rescan of an unchanged tree costs one `fstatat` per entry. Symlinks
/// are reported, never followed; nothing outside the root is visited.
public struct FolderScanner: Sendable {
    /// The empty file at a synced folder's root that says "this is the folder": without
    /// it (an unmounted disk, a deleted folder) nothing is scanned, so a missing folder is
    /// never mistaken for one whose files were all deleted (Syncthing's `.stfolder`).
    public static let markerName = ".p2pfolder"

    public let root: String
    public let ignore: IgnoreRules
    /// Whether to delete the temporary files an interrupted apply left: only the folder's
    /// own session may, between its applies (an observer must never touch them).
    public let removesTemporaries: Bool

    public init(root: String, ignore: IgnoreRules, removesTemporaries: Bool = false) {
        self.root = root
        self.ignore = ignore
        self.removesTemporaries = removesTemporaries
    }

    /// Whether the folder's marker is in place.
    public var hasMarker: Bool { DiskEntry.lstat(root + "/" + Self.markerName)?.kind == .file }

    /// Puts the marker in place (a new folder).
    public func placeMarker() throws(FolderSyncError) {
        let fd = open(root + "/" + Self.markerName, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: root + "/" + Self.markerName, operation: "create", errno: errno) }
        fsync(fd)
        close(fd)
    }

    /// Every synced path under `subtree` ("" for the whole folder), with its state.
    public func scan(subtree: String = "") throws(FolderSyncError) -> [PathKey: DiskEntry] {
        var found: [PathKey: DiskEntry] = [:]
        try walk(relative: subtree, into: &found)
        return found
    }

    private func walk(relative: String, into found: inout [PathKey: DiskEntry]) throws(FolderSyncError) {
        let absolute = relative.isEmpty ? root : root + "/" + relative
        let fd = open(absolute, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            // A directory that vanished while walking is simply absent.
            if errno == ENOENT || errno == ENOTDIR { return }
            throw .io(path: absolute, operation: "open directory", errno: errno)
        }
        guard let directory = fdopendir(fd) else {
            close(fd)
            throw .io(path: absolute, operation: "read directory", errno: errno)
        }
        defer { closedir(directory) }
        var subdirectories: [String] = []
        while let record = readdir(directory) {
            // A name that is not UTF-8 cannot be carried by an index: it stays local.
            guard let name = withUnsafeBytes(of: record.pointee.d_name, { raw in
                String(validating: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }) else { continue }
            if name == "." || name == ".." { continue }
            if IgnoreRules.controlNames.contains(name) { continue }
            if name.hasPrefix(IgnoreRules.temporaryPrefix) {
                // Left by an apply that did not finish (the session never scans during one).
                if removesTemporaries { unlinkat(fd, name, 0) }
                continue
            }
            let path = relative.isEmpty ? name : relative + "/" + name
            guard let entry = DiskEntry.inDirectory(fd, name: name) else { continue }
            guard !ignore.matches(path, isDirectory: entry.kind == .directory) else { continue }
            found[PathKey(path)] = entry
            if entry.kind == .directory { subdirectories.append(path) }
        }
        for subdirectory in subdirectories {
            try walk(relative: subdirectory, into: &found)
        }
    }
}
