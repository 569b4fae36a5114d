import APIClient
import APIModel
import Foundation
import Home

/// `p2p get -r CAP -o DIR`: writes a stored tree into a new directory. Every file goes to a
/// temporary name and is renamed into place when complete; nothing is written outside `DIR`:
/// every directory on the way is one this walk created, names are single path components
/// (checked again here, whatever the listing says), and symlinks are made last in their
/// directory, so no write ever goes through one. A listing is a DAG that could repeat a
/// subdirectory exponentially often: depth and entries written are bounded.
struct TreeDownload {
    let client: APIClient
    let home: PeerHome
    static let maximumDepth = 256
    static let maximumEntries = 10_000_000

    private(set) var files = 0
    private(set) var entries = 0

    /// Creates `path` (it must not exist) and writes the tree of `capability` into it.
    mutating func fetch(_ capability: String, into path: String, depth: Int = 0) async throws {
        guard depth <= Self.maximumDepth else { throw CLIError.failure("the tree is deeper than \(Self.maximumDepth) directories") }
        let document: DirectoryDocument
        do {
            document = try await client.directory(capability: capability)
        } catch let error as APIClientError {
            throw CLIError.from(error, home: home, capability: capability)
        }
        guard mkdir(path, 0o700) == 0 else { throw CLIError.failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        var links: [DirectoryDocument.Entry] = []
        for entry in document.entries {
            entries += 1
            guard entries <= Self.maximumEntries else { throw CLIError.failure("the tree has more than \(Self.maximumEntries) entries") }
            let name = entry.name, bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes != [0x2E], bytes != [0x2E, 0x2E], !bytes.contains(0x2F), !bytes.contains(0) else {
                throw CLIError.failure("refusing the entry \(name.debugDescription): not a single name")
            }
            let child = path + "/" + name
            switch entry.type {
            case "file":
                try await download(entry, to: child)
                files += 1
            case "directory":
                try await fetch(entry.cap ?? "", into: child, depth: depth + 1)
                Self.finish(child, entry)
            case "symlink":
                links.append(entry)
            default:
                throw CLIError.failure("refusing the entry \(name.debugDescription): unknown type \(entry.type)")
            }
        }
        for link in links {
            guard let target = link.target, symlink(target, path + "/" + link.name) == 0 else {
                throw CLIError.failure("cannot create the link \(path)/\(link.name): \(String(cString: strerror(errno)))")
            }
        }
        if depth == 0 { chmod(path, mode_t(0o777 & ~Self.umaskNow)) }
    }

    private func download(_ entry: DirectoryDocument.Entry, to path: String) async throws {
        let capability = entry.cap ?? ""
        try CLIError.validate(capability: capability)
        let destination = try TemporaryFile(finalPath: path)
        do {
            _ = try await client.download(capability: capability, onLength: { _ in }) { buffer in
                try buffer.withUnsafeReadableBytes { try destination.write($0) }
            }
            Self.finish(descriptor: destination.descriptor, entry)
            try destination.commit()
        } catch let error as APIClientError {
            destination.discard()
            throw CLIError.from(error, home: home, capability: capability)
        } catch {
            destination.discard()
            throw error
        }
    }

    /// Permission bits (`0o777` at most, less the umask) and the modification time (the
    /// access time too: nothing else is known of it).
    private static func finish(descriptor: Int32, _ entry: DirectoryDocument.Entry) {
        fchmod(descriptor, mode_t(entry.mode & 0o777 & ~umaskNow))
        var times = [timespec(entry.mtimeNanoseconds), timespec(entry.mtimeNanoseconds)]
        futimens(descriptor, &times)
    }

    private static func finish(_ path: String, _ entry: DirectoryDocument.Entry) {
        chmod(path, mode_t(entry.mode & 0o777 & ~umaskNow))
        var times = [timespec(entry.mtimeNanoseconds), timespec(entry.mtimeNanoseconds)]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// The process's umask (read by setting it and back).
    private static let umaskNow: UInt32 = {
        let mask = umask(0o022)
        umask(mask)
        return UInt32(mask)
    }()
}

extension timespec {
    init(_ nanoseconds: Int64) {
        let seconds = nanoseconds / 1_000_000_000, rest = nanoseconds % 1_000_000_000
        self.init(tv_sec: Int(rest < 0 ? seconds - 1 : seconds), tv_nsec: Int(rest < 0 ? rest + 1_000_000_000 : rest))
    }
}
