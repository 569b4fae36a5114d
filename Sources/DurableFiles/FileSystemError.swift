/// A file-system call that failed, with the path it concerned and the POSIX error number.
///
/// A struct over a private enum so that codes can be added without breaking callers.
/// Layers above report it in their own terms (the chunk store as a `ChunkStoreError` with
/// the same path, errno and detail).
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case io, locked
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A file-system call failed; `errno` is set.
        public static let io = Code(.io)
        /// Another process holds the lock file.
        public static let locked = Code(.locked)

        public var description: String {
            switch base {
            case .io: "I/O error"
            case .locked: "locked"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The file or directory concerned.
    public let path: String
    /// The POSIX error number for `.io`.
    public let errno: Int32?
    /// The call that failed and the system's explanation.
    public let detail: String

    init(_ code: Code, path: String, errno: Int32? = nil, detail: String) {
        self.code = code
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var parts = ["\(code)", "path \(path)"]
        if let errno { parts.append("errno \(errno)") }
        parts.append(detail)
        return parts.joined(separator: ", ")
    }
}

/// An error that a failed file-system call can be reported as: `FileSystem` and
/// `DurableFile` throw the caller's own error type, made from the ``FileSystemError``.
package protocol FileSystemFailure: Error {
    init(_ error: FileSystemError)
}

extension FileSystemError: FileSystemFailure {
    package init(_ error: FileSystemError) { self = error }
}
