import COpenSSL

/// A failed OpenSSL call: which operation, and the reason strings OpenSSL queued for it.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    /// The operation that failed, e.g. "EVP_DigestSign".
    public let operation: String
    /// OpenSSL's own reason texts, oldest first (empty if OpenSSL queued none).
    public let reasons: [String]

    public init(operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
    }

    /// Drains OpenSSL's thread-local error queue into a typed error.
    public static func drain(_ operation: String) -> OpenSSLError {
        OpenSSLError(operation: operation, reasons: drainQueue())
    }

    /// Drains the error queue and returns its reason texts.
    static func drainQueue() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons
    }

    public var description: String {
        reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }
}

/// Throws `OpenSSLError` unless `result` is 1, the success value of most OpenSSL calls.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(OpenSSLError) {
    guard result == 1 else { throw OpenSSLError.drain(operation()) }
}

/// Throws `OpenSSLError` when an OpenSSL constructor returned NULL.
@inline(__always)
func checkNotNil<Pointer>(_ pointer: Pointer?, _ operation: @autoclosure () -> String) throws(OpenSSLError) -> Pointer {
    guard let pointer else { throw OpenSSLError.drain(operation()) }
    return pointer
}
