import COpenSSL

/// An Ed25519 public key as its 32 raw bytes.
public struct Ed25519PublicKey: Hashable, Sendable {
    public static let size = 32
    public static let signatureSize = 64

    public let rawRepresentation: [UInt8]

    public init(rawRepresentation: [UInt8]) throws(OpenSSLError) {
        guard rawRepresentation.count == Self.size else {
            throw OpenSSLError(operation: "Ed25519PublicKey", reasons: ["expected 32 bytes, got \(rawRepresentation.count)"])
        }
        self.rawRepresentation = rawRepresentation
    }

    init(trustedRaw: [UInt8]) { rawRepresentation = trustedRaw }

    /// True only for a valid signature of `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureSize else { return false }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count) else {
            ERR_clear_error()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let valid = EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        ERR_clear_error()
        return valid
    }
}
