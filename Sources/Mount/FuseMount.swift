import CFuse3
import Foundation
import Synchronization

/// A read-only FUSE file system over a `MountTree` (libfuse3's high-level API, several
/// threads): `stat`, `readdir` and `readlink` are answered from listings, `read` from one
/// `FileReader` per open handle. Pages and attributes stay in the kernel's cache, since
/// nothing under a capability ever changes.
public final class FuseMount: Sendable {
    public typealias OpenFile = @Sendable (_ capability: String, _ size: UInt64) -> FileReader

    /// How long the kernel may keep attributes and names (content-addressed: as long as it likes).
    static let cacheSeconds = 3600.0
    /// The kernel's own read-ahead, on top of each reader's window.
    static let kernelReadAhead: UInt32 = 1 << 20

    public let tree: any MountSource
    public let statistics: MountStatistics
    private let openFile: OpenFile
    private let handles = Mutex<(next: UInt64, readers: [UInt64: FileReader])>((1, [:]))
    private let owner = (user: getuid(), group: getgid())

    public init(tree: any MountSource, statistics: MountStatistics = MountStatistics(), openFile: @escaping OpenFile) {
        self.tree = tree
        self.statistics = statistics
        self.openFile = openFile
    }

    /// Mounts at `mountpoint` and serves requests until it is unmounted (`p2p umount`,
    /// `fusermount3 -u`) or the process gets SIGINT, SIGTERM or SIGHUP; then unmounts.
    /// `mounted` runs once the mount is in place. Blocks its thread for all that time.
    public func serve(at mountpoint: String, name: String, mounted: @Sendable () -> Void) throws(MountError) {
        let arguments = ["p2p", "-o", "ro,default_permissions,fsname=p2p:\(name),subtype=p2p"]
        var argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var operations = Self.operations()
        let fuse = argv.withUnsafeMutableBufferPointer { argv in
            p2p_fuse_new(Int32(argv.count), argv.baseAddress, &operations, Unmanaged.passUnretained(self).toOpaque())
        }
        guard let fuse else { throw MountError(EINVAL, "libfuse refused its options") }
        defer { fuse_destroy(fuse) }
        guard fuse_mount(fuse, mountpoint) == 0 else {
            throw MountError(EIO, "cannot mount on \(mountpoint) (is /dev/fuse there, and fuse3 installed?)")
        }
        defer { fuse_unmount(fuse) }
        // A signal detaches the mount by its path: the loop's threads then read ENODEV and
        // end, and this thread alone unmounts and destroys. (libfuse's own handlers only wake
        // the loop when the signal lands on its thread, which in a Swift process it seldom
        // does.) The handlers run on one serial queue, drained before the teardown.
        let queue = DispatchQueue(label: "p2p.mount.signals")
        let signals = [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { Self.detach(mountpoint) }
            source.resume()
            return source
        }
        defer {
            signals.forEach { $0.cancel() }
            queue.sync {}
        }
        mounted()
        withExtendedLifetime(self) { _ = p2p_fuse_loop(fuse) }
    }

    /// Lazily unmounts `path` (`umount2` as root, else `fusermount3 -uz`).
    public static func detach(_ path: String) {
        if getuid() == 0 {
            umount2(path, Int32(MNT_DETACH))
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/fusermount3")
        process.arguments = ["-uz", path]
        try? process.run()
        process.waitUntilExit()
    }

    /// Open handles (one reader each).
    public var openHandles: Int { handles.withLock { $0.readers.count } }

    // MARK: - Operations

    private static func current() -> FuseMount {
        Unmanaged<FuseMount>.fromOpaque(p2p_fuse_private_data()!).takeUnretainedValue()
    }

    private static func path(_ path: UnsafePointer<CChar>?) -> String {
        path.map { String(cString: $0) } ?? "/"
    }

    /// `-errno` for the kernel, from a thrown `MountError`.
    private static func answer(_ body: () throws(MountError) -> Int32) -> Int32 {
        do { return try body() } catch { return -error.code }
    }

    private static func operations() -> fuse_operations {
        var operations = fuse_operations()
        operations.`init` = { connection, configuration in
            if let connection, let configuration {
                let live = FuseMount.current().tree.isLive
                p2p_fuse_configure(connection, configuration, live ? 1 : FuseMount.cacheSeconds, live ? 0 : 1, FuseMount.kernelReadAhead)
            }
            return p2p_fuse_private_data()
        }
        operations.getattr = { path, attributes, _ in
            FuseMount.answer { () throws(MountError) in
                let mount = FuseMount.current()
                mount.fill(attributes!, with: try mount.tree.node(at: FuseMount.path(path)))
                return 0
            }
        }
        operations.readlink = { path, buffer, size in
            FuseMount.answer { () throws(MountError) in
                guard case .symlink(let target, _) = try FuseMount.current().tree.node(at: FuseMount.path(path)) else { throw .notSymlink }
                guard let buffer, size > 0 else { return -ERANGE }
                let bytes = Array(target.utf8.prefix(size - 1))
                bytes.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                buffer[bytes.count] = 0
                return 0
            }
        }
        operations.open = { path, info in
            FuseMount.answer { () throws(MountError) in
                guard let info else { return -EINVAL }
                guard info.pointee.flags & O_ACCMODE == O_RDONLY else { return -EROFS }
                let mount = FuseMount.current()
                switch try mount.tree.node(at: FuseMount.path(path)) {
                case .file(let capability, let size, _, _):
                    let reader = mount.openFile(capability, size)
                    info.pointee.fh = mount.handles.withLock { handles in
                        let handle = handles.next
                        handles.next += 1
                        handles.readers[handle] = reader
                        return handle
                    }
                    if !mount.tree.isLive { p2p_fuse_keep_cache(info) }
                    return 0
                case .directory: throw .isDirectory
                case .symlink: throw MountError(ELOOP)
                }
            }
        }
        operations.read = { _, buffer, size, offset, info in
            FuseMount.answer { () throws(MountError) in
                guard let info, let buffer, offset >= 0 else { return -EINVAL }
                guard let reader = FuseMount.current().handles.withLock({ $0.readers[info.pointee.fh] }) else { return -EBADF }
                let destination = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buffer), count: min(size, Int(Int32.max)))
                return Int32(try reader.read(offset: UInt64(offset), into: destination))
            }
        }
        operations.release = { _, info in
            if let info { _ = FuseMount.current().handles.withLock { $0.readers.removeValue(forKey: info.pointee.fh) } }
            return 0
        }
        // Entries of an immutable tree carry offsets (1 for ".", 2 for "..", then one per
        // entry), so a large directory is served in buffer-sized parts, each with its
        // attributes (readdirplus).
        operations.readdir = { path, buffer, filler, offset, _, flags in
            FuseMount.answer { () throws(MountError) in
                let mount = FuseMount.current()
                let entries = try mount.tree.entries(at: FuseMount.path(path))
                let plus: Int32 = flags.rawValue & FUSE_READDIR_PLUS.rawValue != 0 ? 1 : 0
                var attributes = stat()
                if mount.tree.isLive {
                    // A live tree may change between two calls: the whole listing at once
                    // (offset 0; libfuse keeps it for the open directory), so no entry is
                    // skipped or repeated.
                    for name in [".", ".."] { _ = p2p_fuse_fill(filler, buffer, name, nil, 0, 0) }
                    for entry in entries {
                        mount.fill(&attributes, with: entry.node)
                        if p2p_fuse_fill(filler, buffer, entry.name, &attributes, 0, 0) != 0 { break }
                    }
                    return 0
                }
                var next = Int(max(0, offset))
                for (index, name) in [".", ".."].enumerated() where next == index {
                    attributes = stat()
                    attributes.st_mode = 0o040755
                    if p2p_fuse_fill(filler, buffer, name, &attributes, off_t(index + 1), 0) != 0 { return 0 }
                    next = index + 1
                }
                while next - 2 < entries.count {
                    let entry = entries[next - 2]
                    mount.fill(&attributes, with: entry.node)
                    if p2p_fuse_fill(filler, buffer, entry.name, &attributes, off_t(next + 1), plus) != 0 { break }
                    next += 1
                }
                return 0
            }
        }
        operations.getxattr = { path, name, value, size in
            FuseMount.answer { () throws(MountError) in
                guard let name else { return -ENODATA }
                let mount = FuseMount.current(), attribute = String(cString: name), path = FuseMount.path(path)
                // Only p2p's own attributes exist here. "Not supported" for the others (ACLs,
                // SELinux labels) lets `ls -l` stop asking for every file of the mount.
                guard attribute.hasPrefix("user.p2p.") else { return -EOPNOTSUPP }
                let text: String
                switch (attribute, try mount.tree.node(at: path)) {
                case (FuseMount.capabilityAttribute, .file(let cap, _, _, _)), (FuseMount.capabilityAttribute, .directory(let cap, _, _))
                    where !cap.isEmpty:
                    text = cap
                case (FuseMount.statisticsAttribute, _) where path == "/":
                    text = mount.statistics.json
                default:
                    return -ENODATA
                }
                let bytes = Array(text.utf8)
                if size == 0 { return Int32(bytes.count) }
                guard size >= bytes.count, let value else { return -ERANGE }
                bytes.withUnsafeBytes { UnsafeMutableRawPointer(value).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                return Int32(bytes.count)
            }
        }
        operations.statfs = { _, info in
            guard let info else { return -EINVAL }
            info.pointee = statvfs()
            info.pointee.f_bsize = 4096
            info.pointee.f_frsize = 4096
            info.pointee.f_namemax = 255
            info.pointee.f_flag = UInt(ST_RDONLY)
            return 0
        }
        return operations
    }

    /// The extended attribute that names a file's or directory's capability (`p2p pin PATH`).
    public static let capabilityAttribute = "user.p2p.cap"

    /// The extended attribute of a mount's root with its `MountStatistics`, as JSON.
    public static let statisticsAttribute = "user.p2p.stats"

    /// The capability of a file or directory under a mount; nil for any other path.
    public static func capability(at path: String) -> String? {
        attribute(capabilityAttribute, of: path)
    }

    /// A text extended attribute of `path`, at most 4 KiB; nil when it has none.
    public static func attribute(_ name: String, of path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = getxattr(path, name, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    private func fill(_ attributes: UnsafeMutablePointer<stat>, with node: MountNode) {
        attributes.pointee = stat()
        attributes.pointee.st_mode = node.statMode
        if case .directory = node { attributes.pointee.st_nlink = 2 } else { attributes.pointee.st_nlink = 1 }
        attributes.pointee.st_size = Int(clamping: node.size)
        attributes.pointee.st_blksize = 4096
        attributes.pointee.st_blocks = node.blockCount
        attributes.pointee.st_uid = owner.user
        attributes.pointee.st_gid = owner.group
        let (seconds, nanoseconds) = node.modificationTime
        let time = timespec(tv_sec: seconds, tv_nsec: nanoseconds)
        attributes.pointee.st_mtim = time
        attributes.pointee.st_ctim = time
        attributes.pointee.st_atim = time
    }
}
