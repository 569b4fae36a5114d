import COpenSSL

/// HMAC-SHA256 (RFC 2104), one-shot. Used for admission proofs and convergent keys.
public enum HMACSHA256 {
    public static let size = 32

    public static func authenticate(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        // An empty buffer may have a nil base address; OpenSSL wants a valid pointer.
        let empty: UInt8 = 0
        withUnsafePointer(to: empty) { fallback in
            let result = COpenSSL.HMAC(
                Algorithms.sha256, key.baseAddress ?? UnsafeRawPointer(fallback), Int32(key.count),
                message.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? fallback, message.count,
                &mac, &length)
            precondition(result != nil, "HMAC-SHA256 failed")
        }
        return mac
    }

    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBytes { authenticate(key: keyBuffer, message: $0) }
        }
    }

    /// Compares two MACs in constant time.
    public static func isEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return CRYPTO_memcmp(lhs, rhs, lhs.count) == 0
    }
}
