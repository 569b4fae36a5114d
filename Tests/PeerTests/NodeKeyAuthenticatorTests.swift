import Membership
import OpenSSLKit
import Testing
import Transport
@testable import Peer

@Suite struct NodeKeyAuthenticatorTests {
    @Test func aProofChecksOnlyForTheMemberWhoseKeyHashesToItsID() throws {
        let secret = [UInt8](repeating: 7, count: 32)
        let alice = try PeerCredentials.generate(networkSecret: secret)
        let mallory = try PeerCredentials.generate(networkSecret: secret)
        let aliceKey = NodeKeyAuthenticator(privateKey: alice.privateKey)
        let malloryKey = NodeKeyAuthenticator(privateKey: mallory.privateKey)
        // The key in a proof stands for the NodeID of the certificate (SHA-256 of its SPKI).
        #expect(NodeKeyAuthenticator.memberID(ofPublicKey: alice.privateKey.publicKey.rawRepresentation)?.bytes == alice.nodeID.bytes)
        let aliceID = MemberID(bytes: alice.nodeID.bytes)!
        let record = MemberRecord(id: aliceID, address: "127.0.0.1:7000", zone: "z", capacity: 1, incarnation: 5)
        let proof = aliceKey.prove(.alive(record))
        #expect(malloryKey.isAuthentic(.alive(record), proof: proof))
        // Any changed field, another kind of claim, or another signer fails.
        var moved = record
        moved.address = "127.0.0.1:7001"
        #expect(!malloryKey.isAuthentic(.alive(moved), proof: proof))
        #expect(!malloryKey.isAuthentic(.left(aliceID, incarnation: 5), proof: proof))
        #expect(!aliceKey.isAuthentic(.alive(record), proof: malloryKey.prove(.alive(record))))
        #expect(!aliceKey.isAuthentic(.alive(record), proof: .none))
        let left = aliceKey.prove(.left(aliceID, incarnation: 6))
        #expect(malloryKey.isAuthentic(.left(aliceID, incarnation: 6), proof: left))
        #expect(!malloryKey.isAuthentic(.left(aliceID, incarnation: .max), proof: left))
    }
}
