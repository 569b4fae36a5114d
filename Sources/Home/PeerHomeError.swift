/// Why a home could not be created or opened; each message says what to do.
public enum PeerHomeError: Error, Sendable, CustomStringConvertible {
    case alreadyExists(path: String)
    case notInitialized(path: String)
    case badJoinToken(String)
    case badSetting(String)
    case unreadable(path: String, reason: String)
    case insecurePermissions(path: String, mode: UInt32)

    public var description: String {
        switch self {
        case .alreadyExists(let path): "\(path) already holds a p2pstore home; refusing to overwrite it"
        case .notInitialized(let path): "no p2pstore home at \(path) — run `p2pd init --home \(path)` first"
        case .badJoinToken(let reason): "invalid join token: \(reason)"
        case .badSetting(let reason): reason
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .insecurePermissions(let path, let mode): "\(path) has mode \(String(mode, radix: 8)); secrets must be 0600 (chmod 600 \(path))"
        }
    }
}
