import DurableFiles

/// An error from the chunk store, with the chunk and path it concerns.
///
/// A struct over a private enum so that codes can be added without breaking callers.
/// Callers that only need "do we have this chunk?" use ``isMissing``: a chunk that was found
/// corrupt has already been quarantined and removed from the index, so it is missing too.
public struct ChunkStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound, corrupt, hashMismatch, full, invalidLayout, locked, io, database
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The chunk is not stored here.
        public static let notFound = Code(.notFound)
        /// The chunk's bytes on disk did not hash to its id; it was quarantined and unindexed.
        public static let corrupt = Code(.corrupt)
        /// `put` was given bytes whose SHA-256 is not the id; nothing was stored.
        public static let hashMismatch = Code(.hashMismatch)
        /// Storing the chunk would exceed the configured capacity.
        public static let full = Code(.full)
        /// The root directory holds something the store does not understand (e.g. a newer layout).
        public static let invalidLayout = Code(.invalidLayout)
        /// Another process holds the store's lock file.
        public static let locked = Code(.locked)
        /// A file-system call failed; `errno` is set.
        public static let io = Code(.io)
        /// SQLite failed; `underlying` holds GRDB's error.
        public static let database = Code(.database)

        public var description: String {
            switch base {
            case .notFound: "not found"
            case .corrupt: "corrupt"
            case .hashMismatch: "hash mismatch"
            case .full: "full"
            case .invalidLayout: "invalid layout"
            case .locked: "locked"
            case .io: "I/O error"
            case .database: "database error"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The chunk concerned, if any.
    public let chunk: StoredChunkID?
    /// The file or directory concerned, if any.
    public let path: String?
    /// The POSIX error number for `.io`.
    public let errno: Int32?
    /// A short human explanation (expected vs. found, the syscall that failed, ...).
    public let detail: String
    /// The error this one wraps (a GRDB `DatabaseError` for `.database`).
    public let underlying: (any Error)?

    init(
        _ code: Code, chunk: StoredChunkID? = nil, path: String? = nil, errno: Int32? = nil,
        detail: String = "", underlying: (any Error)? = nil
    ) {
        self.code = code
        self.chunk = chunk
        self.path = path
        self.errno = errno
        self.detail = detail
        self.underlying = underlying
    }

    /// True when the caller should treat the chunk as absent (`.notFound` or `.corrupt`).
    public var isMissing: Bool { code == .notFound || code == .corrupt }

    public var description: String {
        var parts = ["chunk store: \(code)"]
        if let chunk { parts.append("chunk \(chunk.hex)") }
        if let path { parts.append("path \(path)") }
        if let errno { parts.append("errno \(errno)") }
        if !detail.isEmpty { parts.append(detail) }
        if let underlying { parts.append("(\(underlying))") }
        return parts.joined(separator: ", ")
    }
}

extension ChunkStoreError: FileSystemFailure {
    /// A failed file-system call in the chunk store's terms: the same path, errno and detail.
    package init(_ error: FileSystemError) {
        self.init(error.code == .locked ? .locked : .io, path: error.path, errno: error.errno, detail: error.detail)
    }
}

/// The store's file-system calls, which fail with ``ChunkStoreError``s.
typealias FileSystem = DurableFiles.FileSystem<ChunkStoreError>
typealias DurableFile = DurableFiles.DurableFile<ChunkStoreError>
