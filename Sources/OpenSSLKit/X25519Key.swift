import COpenSSL

/// An X25519 key pair, owned as one EVP_PKEY: an ephemeral one for a sealed box, or the
/// Diffie-Hellman half of an Ed25519 node key (`init(edwards:)`), so that a secret can be
/// sealed to a peer knowing only its node key.
///
/// `@unchecked Sendable`: the key is never mutated after creation.
final class X25519Key: @unchecked Sendable {
    static let size = 32
    let pointer: OpaquePointer

    /// A new key from OpenSSL's DRBG.
    init() throws(OpenSSLError) {
        let context = try checkNotNil(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nil), "EVP_PKEY_CTX_new_id")
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        var key: OpaquePointer?
        try check(EVP_PKEY_keygen(context, &key), "EVP_PKEY_keygen")
        pointer = try checkNotNil(key, "EVP_PKEY_keygen")
    }

    /// The X25519 key of an Ed25519 key (RFC 8032 §5.1.5, as libsodium's
    /// `crypto_sign_ed25519_sk_to_curve25519`): the scalar is the first half of SHA-512 of
    /// the seed (X25519 clamps it), so its public key is the Montgomery form of the Ed25519
    /// public key (`publicKey(ofEdwards:)`).
    init(edwards key: Ed25519PrivateKey) throws(OpenSSLError) {
        var seed = [UInt8](repeating: 0, count: 32)
        var digest = [UInt8](repeating: 0, count: 64)
        defer {
            seed.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            digest.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        }
        var length = seed.count
        try check(EVP_PKEY_get_raw_private_key(key.pointer, &seed, &length), "EVP_PKEY_get_raw_private_key")
        var digestLength: UInt32 = 0
        try check(EVP_Digest(seed, seed.count, &digest, &digestLength, EVP_sha512(), nil), "EVP_Digest SHA-512")
        pointer = try checkNotNil(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, digest, Self.size), "EVP_PKEY_new_raw_private_key")
    }

    deinit { EVP_PKEY_free(pointer) }

    /// The 32-byte public key (u-coordinate, little-endian).
    var publicKey: [UInt8] {
        var raw = [UInt8](repeating: 0, count: Self.size)
        var length = raw.count
        let result = EVP_PKEY_get_raw_public_key(pointer, &raw, &length)
        precondition(result == 1 && length == Self.size, "X25519 key without a raw public key")
        return raw
    }

    /// The shared secret with the holder of `peer` (an X25519 public key). Refuses a result
    /// of all zeros: `peer` was a point of small order, chosen to force a known secret.
    func sharedSecret(with peer: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        let peerKey = try checkNotNil(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peer, peer.count), "EVP_PKEY_new_raw_public_key")
        defer { EVP_PKEY_free(peerKey) }
        let context = try checkNotNil(EVP_PKEY_CTX_new(pointer, nil), "EVP_PKEY_CTX_new")
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_derive_init(context), "EVP_PKEY_derive_init")
        try check(EVP_PKEY_derive_set_peer(context, peerKey), "EVP_PKEY_derive_set_peer")
        var secret = [UInt8](repeating: 0, count: Self.size)
        var length = secret.count
        try check(EVP_PKEY_derive(context, &secret, &length), "EVP_PKEY_derive")
        guard length == Self.size, secret.contains(where: { $0 != 0 }) else {
            throw OpenSSLError(operation: "X25519", reasons: ["the peer's key is a point of small order"])
        }
        return secret
    }

    /// The Montgomery u-coordinate of an Ed25519 public key: u = (1 + y) / (1 − y) mod
    /// 2^255 − 19, y being the key without its sign bit. Nil for a key that is no point
    /// (y ≥ p) or whose u is undefined (y = 1, the identity).
    static func publicKey(ofEdwards edwards: Ed25519PublicKey) -> [UInt8]? {
        var yBytes = edwards.rawRepresentation
        yBytes[31] &= 0x7f
        guard let context = BN_CTX_new() else { return nil }
        defer { BN_CTX_free(context) }
        guard let p = BN_new(), let y = BN_lebin2bn(yBytes, 32, nil), let numerator = BN_new(), let denominator = BN_new(),
              let u = BN_new()
        else { return nil }
        defer { for number in [p, y, numerator, denominator, u] { BN_free(number) } }
        guard BN_set_bit(p, 255) == 1, BN_sub_word(p, 19) == 1, BN_cmp(y, p) < 0,
              BN_mod_add(numerator, BN_value_one(), y, p, context) == 1,
              BN_mod_sub(denominator, BN_value_one(), y, p, context) == 1,
              BN_is_zero(denominator) == 0,
              let inverse = BN_mod_inverse(nil, denominator, p, context)
        else {
            ERR_clear_error()
            return nil
        }
        defer { BN_free(inverse) }
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_mod_mul(u, numerator, inverse, p, context) == 1, BN_bn2lebinpad(u, &out, 32) == 32 else {
            ERR_clear_error()
            return nil
        }
        return out
    }
}
