import Codecs
import OpenSSLKit

/// Who may occupy a record key: the key is the hash of an **owner** public key, and a
/// signer's record is accepted under it only with the owner's signature over the key and
/// that signer. A folder's token derives its owner key (`FolderToken`), so any device of
/// the folder endorses itself, and a storing peer checks membership without the token:
/// a peer that does not hold it cannot put even one record under the folder's key, let
/// alone fill it with throwaway signers.
public struct RecordEndorsement: Sendable, Hashable {
    /// Size of `owner` and of `signature`.
    public static let ownerSize = 32
    public static let signatureSize = 64
    static let keyDomain = Array("p2p-record-key-v1".utf8)
    static let endorsementDomain = Array("p2p-endorse-v1".utf8)

    /// The owner's raw 32-byte Ed25519 public key.
    public var owner: [UInt8]
    /// The owner's signature over `"p2p-endorse-v1" || key || signer`.
    public var signature: [UInt8]

    public init(owner: [UInt8], signature: [UInt8]) {
        self.owner = owner
        self.signature = signature
    }

    /// The record key an owner's records live under.
    public static func key(owner: [UInt8]) -> [UInt8] {
        SHA256.hash(keyDomain + owner)
    }

    /// The owner's endorsement of `signer` under the owner's own key.
    public static func endorse(signer: [UInt8], by owner: Ed25519PrivateKey) throws -> RecordEndorsement {
        let ownerKey = owner.publicKey.rawRepresentation
        let message = endorsementDomain + key(owner: ownerKey) + signer
        return RecordEndorsement(owner: ownerKey, signature: try owner.signature(for: message))
    }

    /// Why this endorsement does not let `signer` write under `key`, or nil when it does.
    public func invalidity(key: [UInt8], signer: [UInt8]) -> String? {
        guard owner.count == Self.ownerSize else { return "owner of \(owner.count) bytes, expected \(Self.ownerSize)" }
        guard signature.count == Self.signatureSize else { return "endorsement of \(signature.count) bytes, expected \(Self.signatureSize)" }
        guard Self.key(owner: owner) == key else { return "the key is not its owner's" }
        guard let ownerKey = try? Ed25519PublicKey(rawRepresentation: owner),
              VerifiedSignatures.shared.isValid(signature, for: Self.endorsementDomain + key + signer, by: ownerKey) else {
            return "the owner's endorsement does not verify"
        }
        return nil
    }
}
