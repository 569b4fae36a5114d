import Content
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Carries out the planner's actions on disk, never losing a local change: each file is
/// written to a temporary name beside its target, synced, given its mode and mtime, and
/// renamed over the old one only if the old one is still what the index recorded. A path
/// changed locally since the last scan is left alone and reported, so the next scan turns
/// it into a version of its own (and, if concurrent, a conflict).
final class FileApplier: Sendable {
    let root: String
    let decoder: FileDecoder
    let logger: Logger
    /// Directories whose entries changed and are not yet synced.
    private let directories = Mutex<Set<String>>([])

    init(root: String, decoder: FileDecoder, logger: Logger) {
        self.root = root
        self.decoder = decoder
        self.logger = logger
    }

    enum Outcome: Sendable {
        /// Done; the entry as now on disk.
        case applied(LocalEntry)
        /// The disk no longer matches the index here: rescan first.
        case changedLocally
        /// Could not be done now (a directory not empty, a missing chunk); retried later.
        case failed(String)
    }

    /// A local file with the content wanted, read instead of the network while the disk
    /// still holds what the index recorded for it.
    struct CopySource: Sendable {
        var path: String
        var recorded: LocalEntry
    }

    /// Applies `entry` where the index says the disk holds `current`.
    func apply(_ entry: IndexEntry, current: LocalEntry?, copySource: CopySource?) async -> Outcome {
        let path = absolute(entry.path)
        let disk = DiskEntry.lstat(path)
        if let disk {
            guard let current, disk.matches(current.entry, inode: current.inode) else { return .changedLocally }
        }
        do {
            if entry.deleted { return try delete(path, disk: disk, entry: entry) }
            switch entry.kind {
            case .directory: return try makeDirectory(path, disk: disk, entry: entry)
            case .symlink: return try await replace(path, expected: disk, entry: entry) { temporary in
                guard symlink(entry.symlinkTarget, temporary) == 0 else { throw FolderSyncError.io(path: temporary, operation: "symlink", errno: errno) }
            }
            case .file:
                if let disk, disk.kind == .file, let current, current.entry.capability == entry.capability {
                    return try updateMetadata(path, entry: entry)
                }
                try makeParents(of: entry.path)
                return try await replace(path, expected: disk, entry: entry) { temporary in
                    try await write(entry, to: temporary, copySource: copySource)
                }
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// Moves the losing version of a path aside as a conflict copy; returns its name. The
    /// name comes from the loser alone (its mtime and its device), so every device that
    /// resolves the same conflict makes the same copy, and they sync as one file.
    func moveAside(_ loser: IndexEntry) throws -> String {
        let relative = loser.path
        let seconds = loser.modifiedNanoseconds / 1_000_000_000
        let copy = ConflictName.make(for: relative, secondsSince1970: seconds, device: loser.modifiedBy.label)
        guard rename(absolute(relative), absolute(copy)) == 0 else {
            throw FolderSyncError.io(path: absolute(relative), operation: "rename to conflict copy", errno: errno)
        }
        syncDirectory(of: absolute(copy))
        return copy
    }

    func absolute(_ relative: String) -> String { root + "/" + relative }

    // MARK: kinds

    private func delete(_ path: String, disk: DiskEntry?, entry: IndexEntry) throws -> Outcome {
        if let disk {
            let result = disk.kind == .directory ? rmdir(path) : unlink(path)
            if result != 0 {
                if errno == ENOTEMPTY || errno == EEXIST { return .failed("directory \(entry.path) is not empty here") }
                if errno != ENOENT { throw FolderSyncError.io(path: path, operation: "delete", errno: errno) }
            }
            syncDirectory(of: path)
        }
        return .applied(LocalEntry(entry: entry, inode: 0))
    }

    private func makeDirectory(_ path: String, disk: DiskEntry?, entry: IndexEntry) throws -> Outcome {
        if let disk, disk.kind != .directory {
            // A file or link replaced by a directory; `apply` checked it is the recorded one.
            guard unlink(path) == 0 else { throw FolderSyncError.io(path: path, operation: "delete", errno: errno) }
        }
        if disk?.kind != .directory {
            try makeParents(of: entry.path)
            guard mkdir(path, mode_t(entry.mode & 0o7777)) == 0 || errno == EEXIST else {
                throw FolderSyncError.io(path: path, operation: "mkdir", errno: errno)
            }
            syncDirectory(of: path)
        }
        guard chmod(path, mode_t(entry.mode & 0o7777)) == 0 else { throw FolderSyncError.io(path: path, operation: "chmod", errno: errno) }
        return .applied(LocalEntry(entry: entry, inode: DiskEntry.lstat(path)?.inode ?? 0))
    }

    private func updateMetadata(_ path: String, entry: IndexEntry) throws -> Outcome {
        guard chmod(path, mode_t(entry.mode & 0o7777)) == 0 else { throw FolderSyncError.io(path: path, operation: "chmod", errno: errno) }
        try setModified(path, entry.modifiedNanoseconds)
        return .applied(LocalEntry(entry: entry, inode: DiskEntry.lstat(path)?.inode ?? 0))
    }

    /// Builds the new version under a temporary name, then renames it over `path` if the
    /// disk still holds what it held when the apply began.
    private func replace(
        _ path: String, expected: DiskEntry?, entry: IndexEntry, build: (String) async throws -> Void
    ) async throws -> Outcome {
        let slash = path.lastIndex(of: "/")!
        let temporary = String(path[...slash]) + IgnoreRules.temporaryPrefix + UUID().uuidString.prefix(12)
        do {
            try await build(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        if DiskEntry.lstat(path) != expected {
            unlink(temporary)
            return .changedLocally
        }
        if let expected, expected.kind == .directory {
            // A directory replaced by a file or link: only an empty one goes.
            guard rmdir(path) == 0 else {
                unlink(temporary)
                return .failed("directory \(entry.path) is not empty here")
            }
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FolderSyncError.io(path: path, operation: "rename into place", errno: code)
        }
        syncDirectory(of: path)
        return .applied(LocalEntry(entry: entry, inode: DiskEntry.lstat(path)?.inode ?? 0))
    }

    private func write(_ entry: IndexEntry, to temporary: String, copySource: CopySource?) async throws {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FolderSyncError.io(path: temporary, operation: "create", errno: errno) }
        defer { close(fd) }
        let sink = { (slice: ArraySlice<UInt8>) throws in
            try slice.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw FolderSyncError.io(path: temporary, operation: "write", errno: errno)
                    }
                    offset += written
                }
            }
        }
        if let copySource, try copyLocal(copySource, into: sink) {
            // Reused a local copy of the same content (a rename, a duplicate).
        } else {
            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                throw FolderSyncError.io(path: temporary, operation: "truncate", errno: errno)
            }
            let capability = try Capability(parsing: entry.capability)
            try await decoder.decode(capability) { try sink($0) }
        }
        guard fchmod(fd, mode_t(entry.mode & 0o7777)) == 0 else { throw FolderSyncError.io(path: temporary, operation: "chmod", errno: errno) }
        guard fsync(fd) == 0 else { throw FolderSyncError.io(path: temporary, operation: "fsync", errno: errno) }
        try setModified(temporary, entry.modifiedNanoseconds)
    }

    /// Copies a local file if it is unchanged since recorded, before and after the copy;
    /// false when it changed (the caller then truncates and downloads).
    private func copyLocal(_ source: CopySource, into sink: (ArraySlice<UInt8>) throws -> Void) throws -> Bool {
        let unchanged = { DiskEntry.lstat(source.path)?.matches(source.recorded.entry, inode: source.recorded.inode) == true }
        guard unchanged() else { return false }
        let fd = open(source.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FolderSyncError.io(path: source.path, operation: "read", errno: errno) }
            if count == 0 { return unchanged() }
            try sink(buffer[0..<count])
        }
    }

    private func setModified(_ path: String, _ nanoseconds: Int64) throws {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds - seconds * 1_000_000_000))
        let times = [time, time]
        guard utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw FolderSyncError.io(path: path, operation: "set mtime", errno: errno)
        }
    }

    private func makeParents(of relative: String) throws {
        var parts = relative.split(separator: "/").dropLast()
        var current = root
        while let part = parts.popFirst() {
            current += "/" + part
            if mkdir(current, 0o755) == 0 { syncDirectory(of: current) } else if errno != EEXIST {
                throw FolderSyncError.io(path: current, operation: "mkdir", errno: errno)
            }
        }
    }

    /// Notes that a rename or creation in a directory must be made durable; `flush`
    /// syncs each noted directory once, before the index records what was applied.
    private func syncDirectory(of path: String) {
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        directories.withLock { _ = $0.insert(parent.isEmpty ? "/" : parent) }
    }

    /// Syncs every directory changed since the last call.
    func flush() {
        let pending = directories.withLock { set in
            defer { set = [] }
            return set
        }
        for directory in pending {
            let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            fsync(fd)
            close(fd)
        }
    }
}
