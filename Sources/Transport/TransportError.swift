import OpenSSLKit

/// Everything that can go wrong on a peer connection, with enough context to log.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case tls(OpenSSLError)
    case notTLS13(negotiated: String)
    case noPeerCertificate
    case handshakeTimeout
    case admissionRefused(reason: String)
    case admissionTimeout
    case frameTooLarge(claimed: Int, limit: Int)
    case malformedFrame(String)
    case unsupportedVersion(UInt8)
    case unknownFrameKind(UInt8)
    case connectionClosed
    case deadlineExceeded(method: UInt16)
    case remote(status: UInt16, message: String)
    case tooManyRequests
    case notAdmitted

    public var description: String {
        switch self {
        case .tls(let error): "TLS error: \(error)"
        case .notTLS13(let negotiated): "peer negotiated \(negotiated), TLS 1.3 is required"
        case .noPeerCertificate: "peer presented no certificate"
        case .handshakeTimeout: "TLS handshake did not finish in time"
        case .admissionRefused(let reason): "admission refused: \(reason)"
        case .admissionTimeout: "admission proof did not arrive in time"
        case .frameTooLarge(let claimed, let limit): "frame of \(claimed) bytes exceeds the limit of \(limit)"
        case .malformedFrame(let reason): "malformed frame: \(reason)"
        case .unsupportedVersion(let version): "unsupported frame version \(version)"
        case .unknownFrameKind(let kind): "unknown frame kind \(kind)"
        case .connectionClosed: "connection closed"
        case .deadlineExceeded(let method): "request \(method) exceeded its deadline"
        case .remote(let status, let message): "peer answered error \(status): \(message)"
        case .tooManyRequests: "too many requests in flight"
        case .notAdmitted: "connection is not admitted yet"
        }
    }
}
