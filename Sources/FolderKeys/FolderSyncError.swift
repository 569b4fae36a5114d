/// What can go wrong while syncing a folder; each case names what it concerns.
public enum FolderSyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A folder token that does not parse (bad input: exit 2).
    case invalidToken(String)
    /// A folder path that cannot be synced (missing, not a directory, nested in another).
    case invalidFolder(path: String, reason: String)
    /// The folder is not registered here.
    case unknownFolder(String)
    /// A stored or received index, announcement or record that does not decode.
    case malformed(what: String, reason: String)
    /// A file system operation failed.
    case io(path: String, operation: String, errno: Int32)
    /// No kept version of a folder file answers the request (`sync restore`).
    case noVersion(path: String, reason: String)
    /// A version cannot be written back now (the file changed since the last scan).
    case restoreRefused(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidToken(let reason): "invalid folder token: \(reason)"
        case .invalidFolder(let path, let reason): "cannot sync \(path): \(reason)"
        case .unknownFolder(let path): "\(path) is not a synced folder"
        case .malformed(let what, let reason): "malformed \(what): \(reason)"
        case .io(let path, let operation, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .noVersion(let path, let reason): "no version of \(path) to restore: \(reason)"
        case .restoreRefused(let path, let reason): "cannot restore \(path): \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
