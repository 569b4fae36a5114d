import COpenSSL

/// One streaming EVP digest context, owned and freed here: what `SHA256` and `MD5` share.
final class EVPDigest {
    private let context: OpaquePointer
    private let size: Int

    init(_ algorithm: OpaquePointer, size: Int) {
        // Allocation failure here means the process is out of memory: not recoverable.
        context = EVP_MD_CTX_new()!
        self.size = size
        precondition(EVP_DigestInit_ex2(context, algorithm, nil) == 1, "EVP_DigestInit_ex2 failed")
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
    }

    /// Finishes the hash; the context must not be used afterwards.
    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }

    /// One-shot digest of a buffer.
    static func hash(_ buffer: UnsafeRawBufferPointer, algorithm: OpaquePointer, size: Int) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, algorithm, nil)
        return digest
    }
}
