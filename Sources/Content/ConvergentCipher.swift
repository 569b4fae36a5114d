import OpenSSLKit

/// Convergent encryption of chunks: the key is derived from the plaintext itself, so the
/// same content under the same convergence secret always yields the same ciphertext and id
/// (deduplication), while peers that store the ciphertext cannot read it.
///
/// - key = HMAC-SHA256(convergence secret, SHA-256(plaintext))
/// - ciphertext = AES-256-GCM(key, nonce = 12 zero bytes, aad = "p2pstore/chunk/v1") with the tag appended
/// - chunk id = SHA-256(ciphertext)
///
/// A fixed nonce is safe here because GCM only breaks when one key encrypts two different
/// messages under one nonce; each key is bound to exactly one plaintext (through its hash),
/// so every key encrypts a single message, ever. Encrypting the same plaintext again
/// produces the identical ciphertext, which is the point. The secret keeps outsiders who
/// guess a plaintext from confirming it (Tahoe-LAFS's "added convergence secret").
public struct ConvergentCipher: Sendable {
    /// The GCM nonce: fixed, see the type's documentation.
    static let nonce = [UInt8](repeating: 0, count: AESGCM.nonceSize)
    /// Additional data binding ciphertexts to this scheme and version.
    static let associatedData = Array("p2pstore/chunk/v1".utf8)

    private let secret: [UInt8]

    /// - Parameter convergenceSecret: at least 16 bytes (normally 32 random bytes kept by the user's peer).
    public init(convergenceSecret: [UInt8]) throws(ContentError) {
        guard convergenceSecret.count >= 16 else { throw .weakConvergenceSecret(length: convergenceSecret.count) }
        secret = convergenceSecret
    }

    /// The convergent key of a plaintext.
    public func key(for plaintext: UnsafeRawBufferPointer) -> ChunkKey {
        key(forDigest: SHA256.hash(plaintext))
    }

    private func key(forDigest digest: [UInt8]) -> ChunkKey {
        ChunkKey(bytes: HMACSHA256.authenticate(key: secret, message: digest))!
    }

    /// Encrypts one chunk; returns its reference and the bytes to store.
    public func seal(_ plaintext: UnsafeRawBufferPointer) -> SealedChunk {
        let digest = SHA256.hash(plaintext)
        let key = key(forDigest: digest)
        let ciphertext: [UInt8]
        do {
            ciphertext = try AESGCM.seal(plaintext, key: key.bytes, nonce: Self.nonce, aad: Self.associatedData)
        } catch {
            // Key and nonce sizes are fixed by construction.
            preconditionFailure("AES-GCM rejected a 32-byte key: \(error)")
        }
        return SealedChunk(
            reference: ChunkReference(id: ChunkID(hashing: ciphertext), key: key), ciphertext: ciphertext, plaintextDigest: digest)
    }

    /// Encrypts one chunk.
    public func seal(_ plaintext: [UInt8]) -> SealedChunk {
        plaintext.withUnsafeBytes { seal($0) }
    }

    /// Verifies that `ciphertext` hashes to the reference's id, then decrypts and authenticates it.
    /// Needs no secret: the key is in the reference.
    public static func open(_ ciphertext: [UInt8], reference: ChunkReference) throws(ContentError) -> [UInt8] {
        let actual = ChunkID(hashing: ciphertext)
        guard actual == reference.id else { throw .chunkHashMismatch(expected: reference.id, actual: actual) }
        do {
            return try AESGCM.open(ciphertext, key: reference.key.bytes, nonce: nonce, aad: associatedData)
        } catch {
            throw .decryptionFailed(reference.id)
        }
    }
}

/// An encrypted chunk ready to store.
public struct SealedChunk: Sendable {
    /// Its id and key.
    public var reference: ChunkReference
    /// The bytes peers store: ciphertext followed by the 16-byte GCM tag.
    public var ciphertext: [UInt8]
    /// SHA-256 of the plaintext (the key's input), for the content hash.
    public var plaintextDigest: [UInt8]
}
