import COpenSSL

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the ciphertext.
public enum AESGCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case badKeySize(Int)
        case badNonceSize(Int)
        case ciphertextTooShort(Int)
        /// The tag did not verify: the bytes or the key are wrong.
        case authenticationFailed

        public var description: String {
            switch self {
            case .badKeySize(let size): "AES-256-GCM key must be 32 bytes, got \(size)"
            case .badNonceSize(let size): "AES-GCM nonce must be 12 bytes, got \(size)"
            case .ciphertextTooShort(let size): "AES-GCM ciphertext of \(size) bytes is shorter than its tag"
            case .authenticationFailed: "AES-GCM authentication failed (wrong key or corrupted data)"
            }
        }
    }

    /// Encrypts `plaintext`; returns ciphertext followed by the tag.
    public static func seal(_ plaintext: UnsafeRawBufferPointer, key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws(Failure) -> [UInt8] {
        try validate(key: key, nonce: nonce)
        let context = CipherContext()
        var ok = false
        // Every byte is written by the cipher and the tag: no need to zero the output first.
        let output = [UInt8](unsafeUninitializedCapacity: plaintext.count + tagSize) { out, initialized in
            initialized = out.count
            ok = sealInto(context, plaintext, out.baseAddress!, key: key, nonce: nonce, aad: aad)
        }
        // Encryption with a valid key and nonce cannot fail short of memory exhaustion.
        precondition(ok, "AES-256-GCM seal failed: \(OpenSSLError.drainQueue())")
        return output
    }

    private static func sealInto(
        _ context: CipherContext, _ plaintext: UnsafeRawBufferPointer, _ outBase: UnsafeMutablePointer<UInt8>,
        key: [UInt8], nonce: [UInt8], aad: [UInt8]
    ) -> Bool {
        guard EVP_EncryptInit_ex2(context.pointer, Algorithms.aes256GCM, key, nonce, nil) == 1 else { return false }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(context.pointer, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
        }
        var written = 0
        if plaintext.count > 0 {
            guard EVP_EncryptUpdate(context.pointer, outBase, &length,
                                    plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)) == 1
            else { return false }
            written = Int(length)
        }
        guard EVP_EncryptFinal_ex(context.pointer, outBase + written, &length) == 1 else { return false }
        written += Int(length)
        return EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), outBase + written) == 1
    }

    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws(Failure) -> [UInt8] {
        try plaintext.withUnsafeBytes { buffer in Result { () throws(Failure) in try seal(buffer, key: key, nonce: nonce, aad: aad) } }.get()
    }

    /// Decrypts and verifies ciphertext-with-tag; throws `.authenticationFailed` on any tampering.
    public static func open(_ sealed: UnsafeRawBufferPointer, key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws(Failure) -> [UInt8] {
        try validate(key: key, nonce: nonce)
        guard sealed.count >= tagSize else { throw .ciphertextTooShort(sealed.count) }
        let bodyCount = sealed.count - tagSize
        let context = CipherContext()
        // One spare block so the output pointer is valid even for an empty body.
        var output = [UInt8](repeating: 0, count: bodyCount + tagSize)
        let ok = output.withUnsafeMutableBytes { out -> Bool in
            let outBase = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let input = sealed.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard EVP_DecryptInit_ex2(context.pointer, Algorithms.aes256GCM, key, nonce, nil) == 1 else { return false }
            var length: Int32 = 0
            if !aad.isEmpty {
                guard EVP_DecryptUpdate(context.pointer, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
            }
            var written = 0
            if bodyCount > 0 {
                guard EVP_DecryptUpdate(context.pointer, outBase, &length, input, Int32(bodyCount)) == 1 else { return false }
                written = Int(length)
            }
            let tag = UnsafeMutableRawPointer(mutating: input + bodyCount)
            guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), tag) == 1 else { return false }
            return EVP_DecryptFinal_ex(context.pointer, outBase + written, &length) == 1
        }
        ERR_clear_error()
        guard ok else { throw .authenticationFailed }
        output.removeLast(tagSize)
        return output
    }

    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws(Failure) -> [UInt8] {
        try sealed.withUnsafeBytes { buffer in Result { () throws(Failure) in try open(buffer, key: key, nonce: nonce, aad: aad) } }.get()
    }

    private static func validate(key: [UInt8], nonce: [UInt8]) throws(Failure) {
        guard key.count == keySize else { throw .badKeySize(key.count) }
        guard nonce.count == nonceSize else { throw .badNonceSize(nonce.count) }
    }
}

/// Owns one EVP_CIPHER_CTX.
private final class CipherContext {
    let pointer: OpaquePointer
    init() { pointer = EVP_CIPHER_CTX_new()! }
    deinit { EVP_CIPHER_CTX_free(pointer) }
}
