import OpenSSLKit
@testable import Records
import Testing

/// The memo of verified signatures: a hit needs the same key, signature and message that
/// verified before; nothing that failed is remembered; the memo stays within its capacity.
@Suite struct VerifiedSignaturesTests {
    @Test func onlyTheSameKeySignatureAndMessageHit() throws {
        let memo = VerifiedSignatures(capacity: 8)
        let key = try Ed25519PrivateKey()
        let message = Array("p2p-record-v1 payload".utf8)
        let signature = try key.signature(for: message)
        #expect(memo.isValid(signature, for: message, by: key.publicKey))
        #expect(memo.count == 1)
        // Remembered now: none of these may ride on it.
        var flipped = signature
        flipped[5] ^= 1
        #expect(!memo.isValid(flipped, for: message, by: key.publicKey))
        #expect(!memo.isValid(signature, for: message + [0], by: key.publicKey))
        #expect(!memo.isValid(signature, for: message, by: try Ed25519PrivateKey().publicKey))
        #expect(memo.count == 1)
        #expect(memo.isValid(signature, for: message, by: key.publicKey))
    }

    @Test func staysWithinItsCapacityAndStaysRight() throws {
        let memo = VerifiedSignatures(capacity: 3)
        let key = try Ed25519PrivateKey()
        let messages = (0..<10).map { [UInt8]("message \($0)".utf8) }
        let signatures = try messages.map { try key.signature(for: $0) }
        for (message, signature) in zip(messages, signatures) {
            #expect(memo.isValid(signature, for: message, by: key.publicKey))
            #expect(memo.count <= 3)
        }
        for (index, message) in messages.enumerated() {
            #expect(memo.isValid(signatures[index], for: message, by: key.publicKey))
            #expect(!memo.isValid(signatures[(index + 1) % messages.count], for: message, by: key.publicKey))
        }
        #expect(memo.count == 3)
    }

    @Test func aSignatureMadeHereIsRememberedForItsMessageOnly() throws {
        let memo = VerifiedSignatures(capacity: 8)
        let key = try Ed25519PrivateKey()
        let message = Array("signed here".utf8)
        let signature = try key.signature(for: message)
        memo.remember(signature, for: message, by: key.publicKey)
        #expect(memo.count == 1)
        #expect(memo.isValid(signature, for: message, by: key.publicKey))
        #expect(memo.count == 1)
        #expect(!memo.isValid(signature, for: Array("signed elsewhere".utf8), by: key.publicKey))
    }

    @Test func aRecordTamperedAfterItVerifiedIsRefused() throws {
        let owner = try Ed25519PrivateKey()
        let record = try SignedRecord.sign(sequence: 1, payload: Array("index".utf8), with: Ed25519PrivateKey(), owner: owner)
        #expect(record.isValid)
        var payload = record
        payload.payload[0] ^= 1
        #expect(!payload.isValid)
        var endorsement = record
        endorsement.endorsement.signature[3] ^= 1
        #expect(!endorsement.isValid)
        var signer = record
        signer.signer = try Ed25519PrivateKey().publicKey.rawRepresentation
        #expect(!signer.isValid)
        #expect(record.isValid)
    }
}
