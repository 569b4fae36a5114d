import OpenSSLKit
import Testing
@testable import Transport

/// The network keys of revocation (`NetworkKeys`, `AdmissionKeyring.decide`): concurrent
/// revocations end in one secret whatever the order they arrive in, a revocation is never
/// undone, older keys admit only members the network knew, and hostile documents are
/// refused whole.
@Suite struct NetworkKeysTests {
    static func node(_ byte: UInt8) -> NodeID { NodeID(bytes: [UInt8](repeating: byte, count: 32))! }
    static func secret(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    @Test func concurrentRevocationsMergeToOneSecretInAnyOrder() {
        let start = NetworkKeys(secret: Self.secret(0))
        let members: Set<NodeID> = [Self.node(1), Self.node(2), Self.node(3), Self.node(4)]
        let a = start.revoking([Self.node(3)], members: members, secret: Self.secret(0xA))
        let b = start.revoking([Self.node(4)], members: members, secret: Self.secret(0xB))
        #expect(a.current.secret == Self.secret(0xA) && a.epoch == 1)
        var ab = a, ba = b
        let changedAB = ab.merge(b), changedBA = ba.merge(a)
        #expect(changedAB && changedBA)
        #expect(ab == ba)
        #expect(ab.current == ba.current)
        #expect(ab.current.secret != Self.secret(0xA) && ab.current.secret != Self.secret(0xB) && ab.current.secret.count == 32)
        #expect(ab.revoked == [Self.node(3), Self.node(4)])
        #expect(!ab.eligible.contains(Self.node(3)) && ab.eligible.contains(Self.node(1)))
        // Merging again changes nothing; an older view never undoes a revocation.
        let again = ab.merge(a), older = ab.merge(start)
        #expect(!again && !older)
        #expect(ab.revoked.count == 2)
        // The next revocation builds on the merged epoch.
        #expect(ab.revoking([Self.node(2)], members: members, secret: Self.secret(0xC)).epoch == 2)
    }

    @Test func aKeyLearnedFromATokenTakesItsEpochFromTheNetwork() {
        let network = NetworkKeys(secret: Self.secret(0)).revoking([Self.node(9)], members: [Self.node(1)], secret: Self.secret(1))
        var newcomer = NetworkKeys(secret: network.current.secret)
        let changed = newcomer.merge(network)
        #expect(changed)
        #expect(newcomer.current == network.current && newcomer.keys == network.keys)
    }

    @Test func admissionRefusesTheRevokedAndStrangersWithAnOldKey() throws {
        let member = Self.node(1), stranger = Self.node(2), revoked = Self.node(3)
        let keys = NetworkKeys(secret: Self.secret(0)).revoking([revoked], members: [member, revoked], secret: Self.secret(1))
        let keyring = AdmissionKeyring(keys)
        let exporter = try SecureRandom.bytes(count: 32)
        func proof(_ secret: [UInt8], _ sender: NodeID) -> [UInt8] { AdmissionProof.encode(secret: secret, exporter: exporter, sender: sender) }
        #expect(keyring.decide(proof: proof(Self.secret(1), stranger), exporter: exporter, sender: stranger) == .admitted(key: Self.secret(1)))
        #expect(keyring.decide(proof: proof(Self.secret(0), member), exporter: exporter, sender: member) == .behind(key: Self.secret(0)))
        guard case .refused(let old) = keyring.decide(proof: proof(Self.secret(0), stranger), exporter: exporter, sender: stranger) else {
            Issue.record("a stranger with an old key was admitted")
            return
        }
        #expect(old.contains("stale network secret"))
        guard case .refused(let reason) = keyring.decide(proof: proof(Self.secret(1), revoked), exporter: exporter, sender: revoked) else {
            Issue.record("a revoked member was admitted")
            return
        }
        #expect(reason.contains("revoked"))
        #expect(keyring.decide(proof: proof(Self.secret(7), member), exporter: exporter, sender: member) == .refused("wrong network secret"))
    }

    @Test func hostileKeyDocumentsAreRefusedWhole() {
        let keys = NetworkKeys(secret: Self.secret(0))
        #expect(!keys.accepts(NetworkKeys(keys: [NetworkKey(epoch: 1, secret: [1, 2, 3])], revoked: [], eligible: [])))
        #expect(!keys.accepts(NetworkKeys(keys: [NetworkKey(epoch: UInt64.max, secret: Self.secret(1))], revoked: [], eligible: [])))
        #expect(keys.accepts(NetworkKeys(keys: [NetworkKey(epoch: 3, secret: Self.secret(1))], revoked: [Self.node(5)], eligible: [])))
        let many = Set((0..<(NetworkKeys.maximumNodes + 1)).map { index -> NodeID in
            var bytes = [UInt8](repeating: 0, count: 32)
            bytes[0] = UInt8(index & 0xFF); bytes[1] = UInt8(index >> 8 & 0xFF); bytes[2] = UInt8(index >> 16)
            return NodeID(bytes: bytes)!
        })
        #expect(!keys.accepts(NetworkKeys(keys: [NetworkKey(epoch: 1, secret: Self.secret(1))], revoked: many, eligible: [])))
    }
}
