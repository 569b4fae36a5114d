import Codecs
import Foundation
import Home
import OpenSSLKit
import Transport

/// The network keys as the `networkKeys` RPC carries them (docs/protocol.md): the same
/// document as `network.json`, but each secret sealed to the recipient's node key
/// (`SealedBox`), so a key is never in clear outside a member's home, not even inside the
/// TLS session; and the sender's node public key, to seal the answer to (checked against
/// the caller's TLS identity). A document without keys asks for the recipient's keys only
/// (its sender could not find the recipient's node key).
///
/// `{"version":2,"sender":"<base32 key>","keys":[{"epoch":3,"sealed":"<base32 box>"}],"revoked":["<NodeID>"],"eligible":["<NodeID>"]}`
struct SealedNetworkKeys: Codable, Equatable {
    struct Key: Codable, Equatable {
        var epoch: UInt64
        var sealed: String
    }

    var version = 2
    var sender: String
    var keys: [Key]
    var revoked: [String]
    var eligible: [String]

    /// What each box is bound to: its recipient and the key's epoch.
    static func context(recipient: NodeID, epoch: UInt64) -> [UInt8] {
        Array("p2pstore/network-key/v1".utf8) + recipient.bytes + withUnsafeBytes(of: epoch.bigEndian) { Array($0) }
    }

    /// `keys` from `sender`, sealed to `recipient`; without a recipient key, a request only.
    init(_ networkKeys: NetworkKeys, sender: Ed25519PublicKey, recipient: (node: NodeID, key: Ed25519PublicKey)?) throws {
        self.sender = Base32.encode(sender.rawRepresentation)
        if let recipient {
            keys = try networkKeys.keys.map { key in
                Key(epoch: key.epoch, sealed: Base32.encode(try SealedBox.seal(
                    key.secret, to: recipient.key, context: Self.context(recipient: recipient.node, epoch: key.epoch))))
            }
        } else {
            keys = []
        }
        revoked = networkKeys.revoked.map(\.description).sorted()
        eligible = networkKeys.eligible.map(\.description).sorted()
    }

    /// A document within the bounds, or nil (hostile input is refused whole).
    static func decode(_ bytes: [UInt8]) -> SealedNetworkKeys? {
        guard let document = try? JSONDecoder().decode(SealedNetworkKeys.self, from: Data(bytes)), document.version == 2,
              document.keys.count <= NetworkKeys.maximumKeys, document.revoked.count <= NetworkKeys.maximumNodes,
              document.eligible.count <= NetworkKeys.maximumNodes, document.senderKey != nil
        else { return nil }
        return document
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// The sender's node public key, if it is one.
    var senderKey: Ed25519PublicKey? {
        Base32.decode(sender).flatMap { try? Ed25519PublicKey(rawRepresentation: $0) }
    }

    /// Whether the sender's key is the node key of `node` (NodeID = SHA-256 of its SPKI).
    func isSent(by node: NodeID) -> Bool {
        guard let key = senderKey else { return false }
        return NodeKeyAuthenticator.memberID(ofPublicKey: key.rawRepresentation).map(NodeID.init) == node
    }

    /// The keys, opened with this peer's node key; nil for a request only, or when anything
    /// is malformed or does not open.
    func open(with key: Ed25519PrivateKey, as me: NodeID) -> NetworkKeys? {
        guard !keys.isEmpty else { return nil }
        var opened: [NetworkKey] = []
        for sealed in keys {
            guard let box = Base32.decode(sealed.sealed), box.count == PeerHome.networkSecretSize + SealedBox.overhead,
                  let secret = try? SealedBox.open(box, with: key, context: Self.context(recipient: me, epoch: sealed.epoch))
            else { return nil }
            opened.append(NetworkKey(epoch: sealed.epoch, secret: secret))
        }
        let revokedIDs = revoked.compactMap(NodeID.init), eligibleIDs = eligible.compactMap(NodeID.init)
        guard revokedIDs.count == revoked.count, eligibleIDs.count == eligible.count else { return nil }
        return NetworkKeys(keys: opened, revoked: Set(revokedIDs), eligible: Set(eligibleIDs))
    }
}
