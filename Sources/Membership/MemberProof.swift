/// A member's signature of one of its own claims (`MemberClaim`), with the public key
/// that checks it. For Ed25519 node keys the member's id is SHA-256 of the key's
/// SubjectPublicKeyInfo, so a verifier can tie the key to the id without any directory.
///
/// Fixed size (96 bytes, no heap storage), so a record keeps its proof inline.
public struct MemberProof: Hashable, Sendable {
    /// The signer's public key (32 bytes; for Ed25519, the raw key).
    public var publicKey: Identifier256
    /// The first and second halves of the 64-byte signature.
    public var signatureHigh: Identifier256
    public var signatureLow: Identifier256

    /// The size on the wire.
    public static let byteCount = 96

    /// No proof: what an unsigned record carries; no authenticator accepts it.
    public static let none = MemberProof(
        publicKey: Identifier256(words: 0, 0, 0, 0), signatureHigh: Identifier256(words: 0, 0, 0, 0),
        signatureLow: Identifier256(words: 0, 0, 0, 0))

    public init(publicKey: Identifier256, signatureHigh: Identifier256, signatureLow: Identifier256) {
        self.publicKey = publicKey
        self.signatureHigh = signatureHigh
        self.signatureLow = signatureLow
    }

    /// A proof from a 32-byte key and a 64-byte signature; `nil` for other lengths.
    public init?(publicKey: [UInt8], signature: [UInt8]) {
        guard signature.count == 64, let key = Identifier256(bytes: publicKey),
              let high = Identifier256(bytes: signature[0..<32]), let low = Identifier256(bytes: signature[32..<64])
        else { return nil }
        self.init(publicKey: key, signatureHigh: high, signatureLow: low)
    }

    /// The 64 signature bytes.
    public var signature: [UInt8] { signatureHigh.bytes + signatureLow.bytes }
}
