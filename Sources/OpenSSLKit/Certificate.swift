import COpenSSL

/// An X.509 certificate, owned as one X509 object.
///
/// `@unchecked Sendable`: never mutated after construction; OpenSSL's read accessors
/// on an X509 are safe from several threads.
public final class Certificate: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of an X509 reference.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Makes a self-signed certificate for `key`, valid from now for `validityDays`.
    public static func selfSigned(key: Ed25519PrivateKey, commonName: String, validityDays: Int = 36_500) throws(OpenSSLError) -> Certificate {
        let x509 = try checkNotNil(X509_new(), "X509_new")
        let certificate = Certificate(owning: x509)
        try check(X509_set_version(x509, 2), "X509_set_version")
        let serial = try SecureRandom.bytes(count: 8)
        let serialValue = serial.reduce(0) { ($0 << 8) | Int($1) } & Int.max
        try check(ASN1_INTEGER_set(X509_get_serialNumber(x509), serialValue), "ASN1_INTEGER_set")
        _ = try checkNotNil(X509_gmtime_adj(X509_getm_notBefore(x509), -3600), "X509_gmtime_adj")
        _ = try checkNotNil(X509_gmtime_adj(X509_getm_notAfter(x509), validityDays * 86_400), "X509_gmtime_adj")
        try check(X509_set_pubkey(x509, key.pointer), "X509_set_pubkey")
        let name = try checkNotNil(X509_get_subject_name(x509), "X509_get_subject_name")
        try check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0), "X509_NAME_add_entry_by_txt")
        try check(X509_set_issuer_name(x509, name), "X509_set_issuer_name")
        // Ed25519 signs the whole message itself: the digest argument must be NULL.
        guard X509_sign(x509, key.pointer, nil) > 0 else { throw OpenSSLError.drain("X509_sign") }
        return certificate
    }

    /// Parses one PEM certificate.
    public convenience init(pem: String) throws(OpenSSLError) {
        let bio = try MemoryBIO(Array(pem.utf8))
        self.init(owning: try checkNotNil(PEM_read_bio_X509(bio.pointer, nil, nil, nil), "PEM_read_bio_X509"))
    }

    public func pemRepresentation() throws(OpenSSLError) -> String {
        let bio = try MemoryBIO()
        try check(PEM_write_bio_X509(bio.pointer, pointer), "PEM_write_bio_X509")
        return String(decoding: bio.readAll(), as: UTF8.self)
    }

    /// The DER encoding of the certificate's SubjectPublicKeyInfo: what a NodeID hashes.
    public func subjectPublicKeyInfoDER() throws(OpenSSLError) -> [UInt8] {
        let publicKey = try checkNotNil(X509_get_X509_PUBKEY(pointer), "X509_get_X509_PUBKEY")
        let length = i2d_X509_PUBKEY(publicKey, nil)
        guard length > 0 else { throw OpenSSLError.drain("i2d_X509_PUBKEY") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509_PUBKEY(publicKey, &cursor)
        }
        guard written == length else { throw OpenSSLError.drain("i2d_X509_PUBKEY") }
        return der
    }

    /// The certified key, if it is an Ed25519 key.
    public var ed25519PublicKey: Ed25519PublicKey? {
        guard let key = X509_get0_pubkey(pointer), EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else { return nil }
        var raw = [UInt8](repeating: 0, count: Ed25519PublicKey.size)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 else { return nil }
        return Ed25519PublicKey(trustedRaw: raw)
    }
}
