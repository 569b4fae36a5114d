import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(count: Int) throws(OpenSSLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        try check(RAND_bytes(&output, Int32(count)), "RAND_bytes")
        return output
    }
}
