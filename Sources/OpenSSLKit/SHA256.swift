import COpenSSL

/// SHA-256, one-shot or streaming. Digests are 32 bytes.
public final class SHA256 {
    public static let digestSize = 32

    private let context: OpaquePointer

    /// Starts a streaming hash.
    public init() {
        // Allocation failure here means the process is out of memory: not recoverable.
        context = EVP_MD_CTX_new()!
        precondition(EVP_DigestInit_ex2(context, Algorithms.sha256, nil) == 1, "EVP_DigestInit_ex2(SHA256) failed")
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
        EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, Algorithms.sha256, nil)
        return digest
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}
