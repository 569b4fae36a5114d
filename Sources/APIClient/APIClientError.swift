import Home

/// Why a request to a peer's local API failed.
public enum APIClientError: Error, CustomStringConvertible, Sendable {
    /// Nothing accepted the connection: no daemon, or another address.
    case unreachable(address: HostPort, reason: String)
    /// 401: the token does not match the daemon's.
    case refusedToken(address: HostPort)
    /// Any other non-2xx answer, with the API's error message.
    case failed(status: Int, message: String)
    /// The answer was not HTTP or not the expected JSON.
    case badResponse(address: HostPort, reason: String)
    case timedOut(address: HostPort, after: Duration)

    public var description: String {
        switch self {
        case .unreachable(let address, let reason): "cannot connect to \(address): \(reason)"
        case .refusedToken(let address): "the API at \(address) refused the token"
        case .failed(let status, let message): "the API answered \(status): \(message)"
        case .badResponse(let address, let reason): "bad answer from \(address): \(reason)"
        case .timedOut(let address, let after): "no answer from \(address) within \(after)"
        }
    }
}
