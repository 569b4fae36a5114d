import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Watches every directory of a folder with inotify and calls `onChange` when anything in
/// them changes. It only says "something changed": the scanner finds out what, so a lost
/// or overflowed event costs a rescan, never a missed change. Without inotify (or past
/// the kernel's watch limit) the periodic rescan still catches everything.
final class FolderWatcher: Sendable {
    private static let mask = UInt32(
        IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF
            | IN_ONLYDIR | IN_DONT_FOLLOW)

    private let fd: Int32
    private let root: String
    private let logger: Logger
    private let watched = Mutex<Set<String>>([])
    private let running = Atomic<Bool>(true)

    init?(root: String, logger: Logger, onChange: @escaping @Sendable () -> Void) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("inotify unavailable; relying on periodic rescans", metadata: ["errno": "\(errno)"])
            return nil
        }
        self.root = root
        self.logger = logger
        let thread = Thread { [self] in readLoop(onChange) }
        thread.name = "p2p-sync-watch"
        thread.start()
    }

    /// Adds watches for directories not yet watched (relative paths, "" = root).
    func watch(_ directories: some Sequence<String>) {
        let fresh = watched.withLock { set in directories.filter { set.insert($0).inserted } }
        for directory in fresh {
            let path = directory.isEmpty ? root : root + "/" + directory
            if inotify_add_watch(fd, path, Self.mask) < 0 && errno == ENOSPC {
                logger.warning("inotify watch limit reached; relying on periodic rescans", metadata: ["path": "\(path)"])
                return
            }
        }
    }

    /// Forgets watches of directories that are gone (the kernel already dropped them).
    func forget(_ directories: some Sequence<String>) {
        watched.withLock { set in for directory in directories { set.remove(directory) } }
    }

    func stop() {
        running.store(false, ordering: .releasing)
    }

    private func readLoop(_ onChange: @Sendable () -> Void) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while running.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count > 0 { onChange() }
        }
    }
}
