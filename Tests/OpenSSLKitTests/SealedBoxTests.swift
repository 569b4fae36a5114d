import Codecs
import Testing
@testable import OpenSSLKit

/// Secrets sealed to an Ed25519 node key (`SealedBox`) and the X25519 half of a node key.
struct SealedBoxTests {
    /// libsodium's `ed25519_convert` test: the seed, and the X25519 keys it gives.
    @Test func anEd25519KeyConvertsAsLibsodiumDoes() throws {
        let key = try Ed25519PrivateKey(seed: Hex.decode("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee")!)
        #expect(X25519Key.publicKey(ofEdwards: key.publicKey).map(Hex.encode) == "f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50")
        #expect(Hex.encode(try X25519Key(edwards: key).publicKey) == "f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50")
    }

    @Test func theMontgomeryFormOfThePublicKeyIsThePublicKeyOfTheConvertedScalar() throws {
        for _ in 0..<32 {
            let key = try Ed25519PrivateKey()
            #expect(X25519Key.publicKey(ofEdwards: key.publicKey) == (try X25519Key(edwards: key).publicKey))
        }
        // y = 1 (the identity) has no Montgomery form; neither has y ≥ p.
        #expect(X25519Key.publicKey(ofEdwards: try Ed25519PublicKey(rawRepresentation: [1] + [UInt8](repeating: 0, count: 31))) == nil)
        #expect(X25519Key.publicKey(ofEdwards: try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 0xff, count: 32))) == nil)
    }

    @Test func onlyTheRecipientOpensABoxAndOnlyUnalteredInItsContext() throws {
        let recipient = try Ed25519PrivateKey(), other = try Ed25519PrivateKey()
        let secret = try SecureRandom.bytes(count: 32)
        let context = Array("p2pstore/network-key/v1 epoch 3".utf8)
        let box = try SealedBox.seal(secret, to: recipient.publicKey, context: context)
        #expect(box.count == secret.count + SealedBox.overhead)
        #expect(try SealedBox.open(box, with: recipient, context: context) == secret)
        // Two boxes of one secret share nothing: a fresh ephemeral key each time.
        #expect(try SealedBox.seal(secret, to: recipient.publicKey, context: context).prefix(32) != box.prefix(32))
        #expect(!box.indices.contains { index in box[index...].starts(with: secret) })
        #expect(throws: SealedBox.Failure.openFailed) { try SealedBox.open(box, with: other, context: context) }
        #expect(throws: SealedBox.Failure.openFailed) { try SealedBox.open(box, with: recipient, context: Array("other".utf8)) }
        for index in [0, 31, 32, box.count - 1] {
            var altered = box
            altered[index] ^= 0x01
            #expect(throws: SealedBox.Failure.openFailed) { try SealedBox.open(altered, with: recipient, context: context) }
        }
        #expect(throws: SealedBox.Failure.malformed) { try SealedBox.open(Array(box.prefix(40)), with: recipient, context: context) }
        // An ephemeral key of small order (u = 0) would force a known secret: refused.
        var forced = box
        for index in 0..<32 { forced[index] = 0 }
        #expect(throws: SealedBox.Failure.openFailed) { try SealedBox.open(forced, with: recipient, context: context) }
    }
}
