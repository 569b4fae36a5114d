#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed filesystem operation, as the `errno` the kernel passes to the application.
public struct MountError: Error, Equatable, CustomStringConvertible {
    public var code: Int32
    public var reason: String

    public init(_ code: Int32, _ reason: String = "") {
        self.code = code
        self.reason = reason
    }

    public static let notFound = MountError(ENOENT)
    public static let notDirectory = MountError(ENOTDIR)
    public static let isDirectory = MountError(EISDIR)
    public static let notSymlink = MountError(EINVAL)

    /// The peer could not give the bytes (it is down, no replica answered, a hash failed).
    public static func io(_ reason: String) -> MountError { MountError(EIO, reason) }

    public var description: String {
        reason.isEmpty ? String(cString: strerror(code)) : "\(String(cString: strerror(code))): \(reason)"
    }
}
