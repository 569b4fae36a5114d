import COpenSSL

/// MD5, one-shot or streaming. Digests are 16 bytes. Not for security: S3 clients send
/// `Content-MD5` and expect MD5 ETags, so the gateway needs it for compatibility only.
public final class MD5 {
    public static let digestSize = 16

    private let context: OpaquePointer

    /// Starts a streaming hash.
    public init() {
        // Allocation failure here means the process is out of memory: not recoverable.
        context = EVP_MD_CTX_new()!
        precondition(EVP_DigestInit_ex2(context, Algorithms.md5, nil) == 1, "EVP_DigestInit_ex2(MD5) failed")
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash; the hasher must not be used afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestSize)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }

    /// One-shot digest of a buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestSize)
        var length: UInt32 = 0
        EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, Algorithms.md5, nil)
        return digest
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}
