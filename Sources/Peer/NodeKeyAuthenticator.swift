import Membership
import OpenSSLKit
import Transport

/// Signs this node's membership claims with its Ed25519 node key and checks other
/// members' claims against theirs: the key in a proof must hash to the member's id
/// (NodeID = SHA-256 of the SubjectPublicKeyInfo DER), and the signature must check.
struct NodeKeyAuthenticator: MembershipAuthenticator {
    let privateKey: Ed25519PrivateKey
    let publicKey: MemberID

    init(privateKey: Ed25519PrivateKey) {
        self.privateKey = privateKey
        self.publicKey = MemberID(bytes: privateKey.publicKey.rawRepresentation)!
    }

    /// The DER SubjectPublicKeyInfo of an Ed25519 key is this fixed header (RFC 8410)
    /// followed by the 32 raw key bytes.
    static let ed25519SPKIHeader: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The NodeID of the holder of an Ed25519 public key.
    static func memberID(ofPublicKey key: [UInt8]) -> MemberID? {
        MemberID(bytes: SHA256.hash(ed25519SPKIHeader + key))
    }

    func prove(_ claim: MemberClaim) -> MemberProof {
        // Signing with a loaded key fails only if OpenSSL is out of memory; an unsigned
        // claim is then refused by the others, which costs this node its update, not safety.
        let signature = (try? privateKey.signature(for: claim.signedBytes)) ?? []
        return MemberProof(publicKey: publicKey.bytes, signature: signature) ?? .none
    }

    func isAuthentic(_ claim: MemberClaim, proof: MemberProof) -> Bool {
        let key = proof.publicKey.bytes
        guard Self.memberID(ofPublicKey: key) == claim.memberID,
              let publicKey = try? Ed25519PublicKey(rawRepresentation: key) else { return false }
        return publicKey.isValidSignature(proof.signature, for: claim.signedBytes)
    }
}
