import Content
import DurableFiles
import FolderKeys
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
///
/// Nothing is reached by joining strings: every path is resolved from the folder's root
/// directory one component at a time without following symlinks (`BeneathDirectory`), so
/// no entry, in any order or combination, acts outside the folder. Permission bits from
/// another device are masked to `0o777` and the local umask (never setuid, setgid or
/// sticky), and the folder's control files are never written from the network.
final class FileApplier: Sendable {
    let root: String
    let decoder: FileDecoder
    let logger: Logger
    private let top: BeneathDirectory
    /// Directories (relative to the root) whose entries changed and are not yet synced.
    private let directories = Mutex<Set<String>>([])

    init(root: String, decoder: FileDecoder, logger: Logger) throws(FolderSyncError) {
        self.root = root
        self.decoder = decoder
        self.logger = logger
        self.top = try BeneathDirectory.root(root)
    }

    enum Outcome: Sendable {
        /// Done; the entry as now on disk.
        case applied(LocalEntry)
        /// The disk no longer matches the index here: rescan first.
        case changedLocally
        /// Could not be done now (a directory not empty, a missing chunk, a path that
        /// leads through a symlink here); retried later.
        case failed(String)
    }

    /// A local file with the content wanted, read instead of the network while the disk
    /// still holds what the index recorded for it.
    struct CopySource: Sendable {
        /// Relative to the folder root.
        var path: String
        var recorded: LocalEntry
    }

    /// The permission bits a remote entry gets here: `0o777` at most, less the umask.
    static func localMode(_ mode: UInt32) -> UInt32 { mode & 0o777 & ~ProcessUmask.value }

    /// What the disk holds at `relative`, reached without following a symlink on the way;
    /// nil when absent or when a component on the way is not a directory.
    func stat(_ relative: String) -> DiskEntry? {
        guard let (directory, name) = try? top.parent(of: relative, create: false) else { return nil }
        return directory.stat(name)
    }

    /// Applies `entry` where the index says the disk holds `current`.
    func apply(_ entry: IndexEntry, current: LocalEntry?, copySource: CopySource?) async -> Outcome {
        guard !IgnoreRules.isControlPath(entry.path) else {
            return .failed("\(entry.path) is a control file of this device; it is never taken from another")
        }
        var recorded = entry
        if entry.kind != .symlink && !entry.deleted { recorded.mode = Self.localMode(entry.mode) }
        do {
            let located: (BeneathDirectory, String)
            do {
                located = try top.parent(of: entry.path, create: false)
            } catch BeneathDirectory.Refusal.missing {
                // A parent is missing: a deletion is done; anything else makes its parents.
                if entry.deleted { return .applied(LocalEntry(entry: entry, inode: 0)) }
                located = try top.parent(of: entry.path, create: true)
            }
            let (directory, name) = located
            let disk = directory.stat(name)
            if let disk {
                guard let current, disk.matches(current.entry, inode: current.inode) else { return .changedLocally }
            }
            if entry.deleted { return try delete(name, in: directory, disk: disk, entry: entry) }
            switch entry.kind {
            case .directory:
                return try makeDirectory(name, in: directory, disk: disk, entry: recorded)
            case .symlink:
                return try await replace(name, in: directory, expected: disk, entry: recorded) { temporary in
                    guard directory.makeSymlink(temporary, target: entry.symlinkTarget) == 0 else {
                        throw FolderSyncError.io(path: directory.path(temporary), operation: "symlink", errno: errno)
                    }
                }
            case .file:
                if let disk, disk.kind == .file, let current, current.entry.capability == entry.capability {
                    return try updateMetadata(name, in: directory, entry: recorded)
                }
                return try await replace(name, in: directory, expected: disk, entry: recorded) { temporary in
                    try await write(recorded, to: temporary, in: directory, copySource: copySource)
                }
            }
        } catch BeneathDirectory.Refusal.notADirectory(let blocker) {
            return .failed("\(blocker) is not a directory here, so \(entry.path) is not applied through it")
        } catch BeneathDirectory.Refusal.missing {
            return .changedLocally
        } catch {
            return .failed("\(error)")
        }
    }

    /// Moves the losing version of a path aside as a conflict copy; returns its name. The
    /// name comes from the loser alone (its mtime and its device), so every device that
    /// resolves the same conflict makes the same copy, and they sync as one file. A copy
    /// never replaces an existing file: a taken name gets a numbered variant.
    func moveAside(_ loser: IndexEntry) throws -> String {
        let (directory, name) = try top.parent(of: loser.path, create: false)
        let seconds = loser.modifiedNanoseconds / 1_000_000_000
        for variant in 0..<ConflictName.maximumVariants {
            let copy = ConflictName.make(for: loser.path, secondsSince1970: seconds, device: loser.modifiedBy.label, variant: variant)
            let copyName = String(copy.split(separator: "/").last!)
            if directory.renameWithoutReplacing(name, to: copyName) == 0 {
                note(directory)
                return copy
            }
            guard errno == EEXIST else {
                throw FolderSyncError.io(path: loser.path, operation: "rename to conflict copy", errno: errno)
            }
        }
        throw FolderSyncError.io(path: loser.path, operation: "rename to conflict copy", errno: EEXIST)
    }

    // MARK: kinds

    private func delete(_ name: String, in directory: BeneathDirectory, disk: DiskEntry?, entry: IndexEntry) throws -> Outcome {
        if let disk {
            if directory.unlink(name, directory: disk.kind == .directory) != 0 {
                if errno == ENOTEMPTY || errno == EEXIST { return .failed("directory \(entry.path) is not empty here") }
                if errno != ENOENT { throw FolderSyncError.io(path: entry.path, operation: "delete", errno: errno) }
            }
            note(directory)
        }
        return .applied(LocalEntry(entry: entry, inode: 0))
    }

    private func makeDirectory(_ name: String, in directory: BeneathDirectory, disk: DiskEntry?, entry: IndexEntry) throws -> Outcome {
        if let disk, disk.kind != .directory {
            // A file or link replaced by a directory; `apply` checked it is the recorded one.
            guard directory.unlink(name, directory: false) == 0 else {
                throw FolderSyncError.io(path: entry.path, operation: "delete", errno: errno)
            }
        }
        if disk?.kind != .directory {
            // Meeting anything but a directory (a symlink made meanwhile) is not success.
            if directory.makeDirectory(name, mode: entry.mode) != 0 {
                guard errno == EEXIST, directory.stat(name)?.kind == .directory else {
                    throw FolderSyncError.io(path: entry.path, operation: "mkdir", errno: errno == EEXIST ? ENOTDIR : errno)
                }
            }
            note(directory)
        }
        guard directory.setMode(name, entry.mode) == 0 else {
            throw FolderSyncError.io(path: entry.path, operation: "chmod", errno: errno)
        }
        return .applied(LocalEntry(entry: entry, inode: directory.stat(name)?.inode ?? 0))
    }

    private func updateMetadata(_ name: String, in directory: BeneathDirectory, entry: IndexEntry) throws -> Outcome {
        guard directory.setMode(name, entry.mode) == 0 else {
            throw FolderSyncError.io(path: entry.path, operation: "chmod", errno: errno)
        }
        guard directory.setModified(name, nanoseconds: entry.modifiedNanoseconds) == 0 else {
            throw FolderSyncError.io(path: entry.path, operation: "set mtime", errno: errno)
        }
        return .applied(LocalEntry(entry: entry, inode: directory.stat(name)?.inode ?? 0))
    }

    /// Builds the new version under a temporary name, then renames it over `name` if the
    /// disk still holds what it held when the apply began.
    private func replace(
        _ name: String, in directory: BeneathDirectory, expected: DiskEntry?, entry: IndexEntry,
        build: (String) async throws -> Void
    ) async throws -> Outcome {
        let temporary = IgnoreRules.temporaryPrefix + UUID().uuidString.prefix(12)
        do {
            try await build(temporary)
        } catch {
            _ = directory.unlink(temporary, directory: false)
            throw error
        }
        if directory.stat(name) != expected {
            _ = directory.unlink(temporary, directory: false)
            return .changedLocally
        }
        if let expected, expected.kind == .directory {
            // A directory replaced by a file or link: only an empty one goes.
            guard directory.unlink(name, directory: true) == 0 else {
                _ = directory.unlink(temporary, directory: false)
                return .failed("directory \(entry.path) is not empty here")
            }
        }
        guard directory.rename(temporary, to: name) == 0 else {
            let code = errno
            _ = directory.unlink(temporary, directory: false)
            throw FolderSyncError.io(path: entry.path, operation: "rename into place", errno: code)
        }
        note(directory)
        return .applied(LocalEntry(entry: entry, inode: directory.stat(name)?.inode ?? 0))
    }

    private func write(_ entry: IndexEntry, to temporary: String, in directory: BeneathDirectory, copySource: CopySource?) async throws {
        let fd = directory.createFile(temporary)
        guard fd >= 0 else { throw FolderSyncError.io(path: directory.path(temporary), operation: "create", errno: errno) }
        defer { close(fd) }
        var writeback = Writeback()
        let sink = { (slice: ArraySlice<UInt8>) throws in
            do {
                try slice.withUnsafeBytes { try FileSystem<FileSystemError>.writeAll($0, to: fd, path: temporary) }
            } catch let error as FileSystemError {
                throw FolderSyncError.io(path: directory.path(temporary), operation: "write", errno: error.errno ?? EIO)
            }
            writeback.wrote(slice.count, to: fd)
        }
        if let copySource, try copyLocal(copySource, into: sink) {
            // Reused a local copy of the same content (a rename, a duplicate).
        } else {
            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                throw FolderSyncError.io(path: directory.path(temporary), operation: "truncate", errno: errno)
            }
            writeback = Writeback()
            let capability = try Capability(parsing: entry.capability)
            try await decoder.decode(capability) { try sink($0) }
        }
        guard fchmod(fd, mode_t(entry.mode)) == 0 else {
            throw FolderSyncError.io(path: directory.path(temporary), operation: "chmod", errno: errno)
        }
        guard fsync(fd) == 0 else { throw FolderSyncError.io(path: directory.path(temporary), operation: "fsync", errno: errno) }
        let time = BeneathDirectory.timespec(entry.modifiedNanoseconds)
        guard futimens(fd, [time, time]) == 0 else {
            throw FolderSyncError.io(path: directory.path(temporary), operation: "set mtime", errno: errno)
        }
    }

    /// Copies a local file if it is unchanged since recorded, before and after the copy;
    /// false when it changed (the caller then truncates and downloads).
    private func copyLocal(_ source: CopySource, into sink: (ArraySlice<UInt8>) throws -> Void) throws -> Bool {
        guard let (directory, name) = try? top.parent(of: source.path, create: false) else { return false }
        let unchanged = { directory.stat(name)?.matches(source.recorded.entry, inode: source.recorded.inode) == true }
        guard unchanged() else { return false }
        let fd = directory.openFile(name)
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

    /// Notes that a rename or creation in a directory must be made durable; `flush`
    /// syncs each noted directory once, before the index records what was applied.
    private func note(_ directory: BeneathDirectory) {
        directories.withLock { _ = $0.insert(directory.relative) }
    }

    /// Syncs every directory changed since the last call.
    func flush() {
        let pending = directories.withLock { set in
            defer { set = [] }
            return set
        }
        for relative in pending {
            try? top.descend(relative.split(separator: "/"), create: false).sync()
        }
    }
}
