import COpenSSL

/// A secret sealed to the holder of an Ed25519 key (ECIES, as libsodium's sealed boxes):
/// a fresh X25519 key agrees a secret with the recipient's X25519 half (`X25519Key`), an
/// HMAC-SHA256 extract-and-expand (RFC 5869) over it, both public keys and the caller's
/// `context` gives an AES-256-GCM key and nonce, and the box is the ephemeral public key
/// followed by the ciphertext and tag. Only the recipient's private key opens it; any
/// change to the box, or another context, fails it.
public enum SealedBox {
    /// Bytes a box adds to its plaintext.
    public static let overhead = X25519Key.size + AESGCM.tagSize

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case recipientKeyUnusable
        case malformed
        case openFailed

        public var description: String {
            switch self {
            case .recipientKeyUnusable: "the recipient's key has no X25519 form"
            case .malformed: "a sealed box shorter than its overhead"
            case .openFailed: "the sealed box does not open with this key (another recipient, another context, or altered)"
            }
        }
    }

    /// Seals `plaintext` to `recipient`.
    public static func seal(_ plaintext: [UInt8], to recipient: Ed25519PublicKey, context: [UInt8]) throws -> [UInt8] {
        guard let recipientKey = X25519Key.publicKey(ofEdwards: recipient) else { throw Failure.recipientKeyUnusable }
        let ephemeral = try X25519Key()
        let ephemeralPublic = ephemeral.publicKey
        let shared: [UInt8]
        do { shared = try ephemeral.sharedSecret(with: recipientKey) } catch { throw Failure.recipientKeyUnusable }
        let (key, nonce) = keys(shared: shared, ephemeral: ephemeralPublic, recipient: recipientKey, context: context)
        return ephemeralPublic + (try AESGCM.seal(plaintext, key: key, nonce: nonce, aad: context))
    }

    /// Opens a box sealed to `key`'s public key with the same `context`.
    public static func open(_ box: [UInt8], with key: Ed25519PrivateKey, context: [UInt8]) throws -> [UInt8] {
        guard box.count >= overhead else { throw Failure.malformed }
        let ephemeralPublic = Array(box.prefix(X25519Key.size))
        let own = try X25519Key(edwards: key)
        let shared: [UInt8]
        do { shared = try own.sharedSecret(with: ephemeralPublic) } catch { throw Failure.openFailed }
        let (aesKey, nonce) = keys(shared: shared, ephemeral: ephemeralPublic, recipient: own.publicKey, context: context)
        do {
            return try AESGCM.open(Array(box.dropFirst(X25519Key.size)), key: aesKey, nonce: nonce, aad: context)
        } catch {
            throw Failure.openFailed
        }
    }

    private static func keys(shared: [UInt8], ephemeral: [UInt8], recipient: [UInt8], context: [UInt8]) -> (key: [UInt8], nonce: [UInt8]) {
        let pseudorandom = HMACSHA256.authenticate(key: Array("p2pstore/sealed-box/v1".utf8), message: shared)
        let info = ephemeral + recipient + context
        let key = HMACSHA256.authenticate(key: pseudorandom, message: info + [1])
        let nonce = HMACSHA256.authenticate(key: pseudorandom, message: key + info + [2]).prefix(AESGCM.nonceSize)
        return (key, Array(nonce))
    }
}
