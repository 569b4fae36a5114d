import COpenSSL

/// An Ed25519 private key, owned as one EVP_PKEY.
///
/// `@unchecked Sendable`: the key is never mutated after creation, and OpenSSL allows
/// concurrent signing with one EVP_PKEY because each call makes its own EVP_MD_CTX.
public final class Ed25519PrivateKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Generates a new key from OpenSSL's DRBG.
    public init() throws(OpenSSLError) {
        let context = try checkNotNil(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil), "EVP_PKEY_CTX_new_id")
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        var key: OpaquePointer?
        try check(EVP_PKEY_keygen(context, &key), "EVP_PKEY_keygen")
        pointer = try checkNotNil(key, "EVP_PKEY_keygen")
    }

    /// Loads a PKCS#8 PEM private key; refuses keys that are not Ed25519.
    public init(pem: String) throws(OpenSSLError) {
        let bio = try MemoryBIO(Array(pem.utf8))
        let key = try checkNotNil(PEM_read_bio_PrivateKey(bio.pointer, nil, nil, nil), "PEM_read_bio_PrivateKey")
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw OpenSSLError(operation: "PEM_read_bio_PrivateKey", reasons: ["not an Ed25519 key"])
        }
        pointer = key
    }

    /// The key whose 32-byte RFC 8032 secret is `seed`.
    public init(seed: [UInt8]) throws(OpenSSLError) {
        guard seed.count == 32 else {
            throw OpenSSLError(operation: "EVP_PKEY_new_raw_private_key", reasons: ["an Ed25519 seed is 32 bytes, got \(seed.count)"])
        }
        pointer = try checkNotNil(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count), "EVP_PKEY_new_raw_private_key")
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Another key, derived from this one and `label` (its seed is HMAC-SHA256 of the label
    /// under this key's secret): the same label always gives the same key, different labels
    /// unrelated ones, and the derived public key reveals nothing of this one.
    public func derivedKey(label: [UInt8]) throws(OpenSSLError) -> Ed25519PrivateKey {
        var secret = [UInt8](repeating: 0, count: 32)
        defer { secret.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        var length = secret.count
        try check(EVP_PKEY_get_raw_private_key(pointer, &secret, &length), "EVP_PKEY_get_raw_private_key")
        return try Ed25519PrivateKey(seed: HMACSHA256.authenticate(key: secret, message: label))
    }

    /// The key as unencrypted PKCS#8 PEM. Store it with mode 0600.
    public func pemRepresentation() throws(OpenSSLError) -> String {
        let bio = try MemoryBIO()
        try check(PEM_write_bio_PrivateKey(bio.pointer, pointer, nil, nil, 0, nil, nil), "PEM_write_bio_PrivateKey")
        return String(decoding: bio.readAll(), as: UTF8.self)
    }

    public var publicKey: Ed25519PublicKey {
        var raw = [UInt8](repeating: 0, count: Ed25519PublicKey.size)
        var length = raw.count
        let result = EVP_PKEY_get_raw_public_key(pointer, &raw, &length)
        precondition(result == 1 && length == Ed25519PublicKey.size, "Ed25519 key without a raw public key")
        return Ed25519PublicKey(trustedRaw: raw)
    }

    /// Signs `message` (pure Ed25519, no pre-hash); the signature is 64 bytes.
    public func signature(for message: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        let context = try checkNotNil(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        defer { EVP_MD_CTX_free(context) }
        try check(EVP_DigestSignInit(context, nil, nil, nil, pointer), "EVP_DigestSignInit")
        var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureSize)
        var length = signature.count
        try check(EVP_DigestSign(context, &signature, &length, message, message.count), "EVP_DigestSign")
        return signature
    }
}
