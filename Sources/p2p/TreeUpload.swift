import APIClient
import APIModel
import Foundation
import Home

/// `p2p put -r DIR`: stores a tree bottom-up through the local peer — every file as with
/// `p2p put`, every directory as a listing of its entries (`POST /v1/dirs`) — and returns the
/// root's capability. Symlinks are stored as their target text and never followed; devices,
/// sockets and fifos are skipped with a warning. A file unchanged since an earlier run
/// (`PutCache`) is not read again; one that changed stores only its new chunks, the others
/// being the same (convergent encryption), which the network keeps once.
struct TreeUpload {
    let client: APIClient
    let home: PeerHome
    let progress: ProgressBar

    /// What earlier runs stored, and the capabilities this peer still owns.
    var cache: PutCache
    let owned: Set<String>

    /// Files and directories stored so far, and files found unchanged since an earlier run.
    private(set) var files = 0
    private(set) var directories = 0
    private(set) var unchanged = 0

    /// Stores the tree at `path`; `isRoot` for the top of the tree (the capability printed).
    mutating func store(directory path: String, isRoot: Bool = true) async throws -> String {
        var entries: [DirectoryDocument.Entry] = []
        for name in try Self.names(in: path) {
            let child = path + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0 else { throw CLIError.failure("cannot read \(child): \(String(cString: strerror(errno)))") }
            let mode = UInt32(info.st_mode) & 0o777
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                let key = PutCache.key(info)
                let cap: String
                if let known = cache.capability(for: key, owned: owned) {
                    cap = known
                    unchanged += 1
                } else {
                    cap = try await Self.upload(file: child, client: client, home: home, progress: progress)
                    cache.record(cap, for: key)
                }
                files += 1
                entries.append(.init(name: name, type: "file", mode: mode, mtimeNanoseconds: mtime, size: UInt64(info.st_size), cap: cap))
            case S_IFDIR:
                let cap = try await store(directory: child, isRoot: false)
                entries.append(.init(name: name, type: "directory", mode: mode, mtimeNanoseconds: mtime, size: 0, cap: cap))
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: 4097)
                let count = readlink(child, &target, 4096)
                guard count > 0 else { throw CLIError.failure("cannot read the link \(child): \(String(cString: strerror(errno)))") }
                let text = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                entries.append(.init(name: name, type: "symlink", mode: 0o777, mtimeNanoseconds: mtime, size: UInt64(count), target: text))
            default:
                CLIError.report("skipping \(child): not a file, directory or symlink")
            }
        }
        directories += 1
        do {
            return try await client.storeDirectory(DirectoryDocument(entries: entries), isRoot: isRoot).cap
        } catch let error as APIClientError {
            throw CLIError.from(error, home: home)
        }
    }

    /// The names in a directory, sorted; refuses one that is not UTF-8 (a listing holds text).
    static func names(in path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw CLIError.failure("cannot list \(path): \(String(cString: strerror(errno)))") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes != [0x2E], bytes != [0x2E, 0x2E] else { continue }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw CLIError.badInput("\(path) holds a name that is not UTF-8: rename it to store the tree")
            }
            names.append(name)
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Stores one file of a tree (`?source=tree`: removed with the tree); its capability.
    static func upload(file: String, client: APIClient, home: PeerHome, progress: ProgressBar) async throws -> String {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw CLIError.badInput("\(file) is not a regular file") }
        return try await upload(
            descriptor: descriptor, name: file, length: UInt64(info.st_size), inTree: true, client: client, home: home, progress: progress)
    }

    /// Streams a descriptor to `POST /v1/files`; its capability.
    static func upload(
        descriptor: Int32, name: String, length: UInt64?, inTree: Bool = false, client: APIClient, home: PeerHome, progress: ProgressBar
    ) async throws -> String {
        do {
            return try await client.upload(length: length, inTree: inTree, read: { buffer in
                while true {
                    let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                    if count >= 0 { return count }
                    if errno != EINTR { throw CLIError.failure("reading \(name): \(String(cString: strerror(errno)))") }
                }
            }, progress: { progress.update($0) }).cap
        } catch let error as APIClientError {
            throw CLIError.from(error, home: home)
        }
    }
}
