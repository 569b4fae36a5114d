import Codecs
import Foundation
import OpenSSLKit
import Testing
import Transport
@testable import Peer

/// The `networkKeys` RPC document: every secret sealed to the recipient's node key, never
/// in clear; only the recipient opens it; the sender is the caller's node key or nothing.
@Suite struct SealedNetworkKeysTests {
    static func node(_ key: Ed25519PrivateKey) -> NodeID {
        NodeID(NodeKeyAuthenticator.memberID(ofPublicKey: key.publicKey.rawRepresentation)!)
    }

    @Test func onlyTheRecipientOpensTheKeysAndNoSecretTravelsInClear() throws {
        let sender = try Ed25519PrivateKey(), recipient = try Ed25519PrivateKey(), other = try Ed25519PrivateKey()
        let first = try SecureRandom.bytes(count: 32), second = try SecureRandom.bytes(count: 32)
        let keys = NetworkKeys(secret: first).revoking([Self.node(other)], members: [Self.node(recipient)], secret: second)
        let document = try SealedNetworkKeys(keys, sender: sender.publicKey, recipient: (Self.node(recipient), recipient.publicKey))
        let wire = document.encoded()
        let text = String(decoding: wire, as: UTF8.self)
        for secret in [first, second] {
            #expect(!text.contains(Base32.encode(secret)) && !text.contains(Hex.encode(secret)))
            #expect(!wire.indices.contains { wire[$0...].starts(with: secret) })
        }
        let decoded = try #require(SealedNetworkKeys.decode(wire))
        #expect(decoded.isSent(by: Self.node(sender)) && !decoded.isSent(by: Self.node(recipient)))
        #expect(decoded.open(with: recipient, as: Self.node(recipient)) == keys)
        // Another member's key, or the recipient's key under another NodeID, opens nothing.
        #expect(decoded.open(with: other, as: Self.node(other)) == nil)
        #expect(decoded.open(with: recipient, as: Self.node(other)) == nil)
        // One altered box spoils the whole document.
        var altered = decoded
        var box = Base32.decode(altered.keys[0].sealed)!
        box[box.count - 1] ^= 1
        altered.keys[0].sealed = Base32.encode(box)
        #expect(altered.open(with: recipient, as: Self.node(recipient)) == nil)
        // Moving a box to another epoch breaks its binding.
        var moved = decoded
        moved.keys[0].epoch += 7
        #expect(moved.open(with: recipient, as: Self.node(recipient)) == nil)
    }

    @Test func aDocumentWithoutARecipientKeyOnlyAsks() throws {
        let sender = try Ed25519PrivateKey()
        let document = try SealedNetworkKeys(NetworkKeys(secret: [UInt8](repeating: 1, count: 32)), sender: sender.publicKey, recipient: nil)
        #expect(document.keys.isEmpty)
        let decoded = try #require(SealedNetworkKeys.decode(document.encoded()))
        #expect(decoded.open(with: sender, as: Self.node(sender)) == nil)
    }

    @Test(arguments: [
        "", "{", #"{"version":1,"sender":"","keys":[],"revoked":[],"eligible":[]}"#,
        #"{"version":2,"sender":"aebagbaf","keys":[],"revoked":[],"eligible":[]}"#,
        #"{"version":2,"keys":[],"revoked":[],"eligible":[]}"#,
    ])
    func malformedDocumentsAreRefused(_ text: String) {
        #expect(SealedNetworkKeys.decode(Array(text.utf8)) == nil)
    }
}
