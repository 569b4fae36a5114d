import Synchronization
import Testing
@testable import Membership

/// Issue 14: a peer may report what it observed, but may not speak for another member.
@Suite struct MembershipAuthenticationTests {
    private static func id(_ byte: UInt8) -> MemberID { MemberID(bytes: [UInt8](repeating: byte, count: 32))! }

    private static func record(_ byte: UInt8, incarnation: UInt64 = 10, address: String? = nil) -> MemberRecord {
        MemberRecord(id: id(byte), address: address ?? "h\(byte):1", zone: "z", capacity: 1, incarnation: incarnation).signed()
    }

    /// Peer 1, knowing 2 (the victim) and 3 (the liar) alive at incarnation 10.
    private static func machine(
        _ configuration: MembershipConfiguration = MembershipConfiguration(),
        authenticator: any MembershipAuthenticator = checksums, incarnation: UInt64 = 10
    ) -> MembershipStateMachine {
        var machine = MembershipStateMachine(
            local: record(1, incarnation: incarnation), configuration: configuration, authenticator: authenticator, seed: 1, now: .zero)
        machine.restore([MemberSnapshot(record: record(2), state: .alive), MemberSnapshot(record: record(3), state: .alive)], now: .zero)
        return machine
    }

    /// A packet from the liar, peer 3.
    private static func fromLiar(_ gossip: [MemberUpdate], message: MembershipMessage = .gossip) -> MembershipPacket {
        MembershipPacket(sender: id(3), senderAddress: "h3:1", message: message, gossip: gossip)
    }

    @Test func aForgedLeftIsRefusedAndASignedOneAccepted() {
        var machine = Self.machine()
        // The liar's own proof, and no proof at all: neither is the victim's.
        let liarsProof = checksums.prove(.left(Self.id(3), incarnation: .max))
        _ = machine.receive(Self.fromLiar([.left(Self.id(2), incarnation: .max, proof: liarsProof)]), now: .seconds(1))
        _ = machine.receive(Self.fromLiar([.left(Self.id(2), incarnation: 11, proof: .none)]), now: .seconds(1))
        // A push-pull row saying "left" must carry the departure's proof too.
        var relabelled = Self.record(2, incarnation: 12)
        relabelled.proof = liarsProof
        _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(
            isResponse: true, isJoin: false, members: [MemberSnapshot(record: relabelled, state: .left)]))), now: .seconds(1))
        #expect(machine.member(Self.id(2))?.state == .alive)
        #expect(machine.member(Self.id(2))?.incarnation == 10)
        // The victim's own departure, relayed by anyone, is accepted.
        _ = machine.receive(Self.fromLiar([.signedLeft(Self.id(2), incarnation: 10)]), now: .seconds(2))
        #expect(machine.member(Self.id(2))?.state == .left)
    }

    @Test func aForgedAliveNeitherMovesAMemberNorAddsOne() {
        var machine = Self.machine()
        // The victim "at the liar's address", with a higher incarnation, unsigned and
        // signed by the liar's key.
        var moved = Self.record(2, incarnation: 11, address: "h3:1")
        moved.proof = .none
        var resigned = moved
        resigned.proof = MemberProof(publicKey: Self.id(3), signatureHigh: checksums.prove(.alive(moved)).signatureHigh, signatureLow: Self.id(0))
        _ = machine.receive(Self.fromLiar([.alive(moved)]), now: .seconds(1))
        _ = machine.receive(Self.fromLiar([.alive(resigned)]), now: .seconds(1))
        _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(
            isResponse: true, isJoin: false, members: [MemberSnapshot(record: moved, state: .alive)]))), now: .seconds(1))
        #expect(machine.member(Self.id(2))?.address == "h2:1")
        #expect(machine.member(Self.id(2))?.incarnation == 10)
        // An unknown member without its own proof is not added; nor is anything after a
        // failed claim in the same packet (the sender is lying).
        var stranger = Self.record(9)
        stranger.proof = .none
        _ = machine.receive(Self.fromLiar([.alive(stranger), .alive(Self.record(8))]), now: .seconds(1))
        #expect(machine.member(Self.id(9)) == nil)
        #expect(machine.member(Self.id(8)) == nil)
        // The victim's own newer record, relayed, is accepted.
        _ = machine.receive(Self.fromLiar([.alive(Self.record(2, incarnation: 11, address: "h2:2"))]), now: .seconds(2))
        #expect(machine.member(Self.id(2))?.address == "h2:2")
    }

    @Test func anIncarnationMayNotJumpBeyondTheBound() {
        var configuration = MembershipConfiguration()
        configuration.maxIncarnationStep = 1_000
        var machine = Self.machine(configuration)
        // Signed by the member itself, but too far ahead: alive and left alike.
        _ = machine.receive(Self.fromLiar([.alive(Self.record(2, incarnation: 1_011))]), now: .seconds(1))
        _ = machine.receive(Self.fromLiar([.signedLeft(Self.id(2), incarnation: 1_011)]), now: .seconds(1))
        #expect(machine.member(Self.id(2))?.incarnation == 10)
        #expect(machine.member(Self.id(2))?.state == .alive)
        // Observers may only speak of the incarnation known here.
        _ = machine.receive(Self.fromLiar([.dead(Self.id(2), incarnation: 500, accuser: Self.id(3))]), now: .seconds(1))
        #expect(machine.member(Self.id(2))?.state == .alive)
        // Within the bound it wins.
        _ = machine.receive(Self.fromLiar([.alive(Self.record(2, incarnation: 1_010))]), now: .seconds(2))
        #expect(machine.member(Self.id(2))?.incarnation == 1_010)
        // A first incarnation near the top of the range is refused.
        _ = machine.receive(Self.fromLiar([.alive(Self.record(7, incarnation: .max - 1))]), now: .seconds(2))
        #expect(machine.member(Self.id(7)) == nil)
    }

    @Test func claimsAtTheTopOfTheIncarnationRangeNeverTrap() {
        // Someone else's word about us at UInt64.max: forged left, suspect, dead.
        var machine = Self.machine()
        _ = machine.receive(Self.fromLiar([
            .left(Self.id(1), incarnation: .max, proof: .none),
        ]), now: .seconds(1))
        _ = machine.receive(Self.fromLiar([
            .suspect(Self.id(1), incarnation: .max, accuser: Self.id(3)), .dead(Self.id(1), incarnation: .max, accuser: Self.id(3)),
        ]), now: .seconds(1))
        #expect(machine.localMember.incarnation == 10)
        #expect(machine.localMember.state == .alive)
        // A member already at the top refutes a suspicion without overflowing.
        var top = Self.machine(incarnation: .max)
        _ = top.receive(Self.fromLiar([.suspect(Self.id(1), incarnation: .max, accuser: Self.id(3))]), now: .seconds(1))
        #expect(top.localMember.incarnation == .max)
        #expect(checksums.isAuthentic(.alive(top.localMember.record), proof: top.localMember.record.proof))
    }

    @Test func theTableStopsAtItsCap() {
        var configuration = MembershipConfiguration()
        configuration.maxMembers = 10
        var machine = Self.machine(configuration)
        let members = (10..<110).map { MemberSnapshot(record: Self.record(UInt8($0)), state: .alive) }
        _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(isResponse: true, isJoin: false, members: members))), now: .seconds(1))
        #expect(machine.members.count == 10)
        // Gossip and dead or left rows count against it too.
        _ = machine.receive(Self.fromLiar([.alive(Self.record(200))]), now: .seconds(2))
        _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(
            isResponse: true, isJoin: false, members: [MemberSnapshot(record: Self.record(201), state: .dead)]))), now: .seconds(2))
        #expect(machine.members.count == 10)
    }

    @Test func membersAreAddedAtABoundedRate() {
        var configuration = MembershipConfiguration()
        configuration.memberAdmissionBurst = 8
        configuration.memberAdmissionsPerSecond = 2
        var machine = Self.machine(configuration)
        let members = (10..<110).map { MemberSnapshot(record: Self.record(UInt8($0)), state: .alive) }
        func push(at seconds: Int) {
            _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(isResponse: true, isJoin: false, members: members))), now: .seconds(seconds))
        }
        push(at: 1)
        #expect(machine.members.count == 3 + 8)
        push(at: 2)
        #expect(machine.members.count == 3 + 8 + 2)
        // The bucket holds at most the burst, however long it was idle.
        push(at: 1_000)
        #expect(machine.members.count == 3 + 8 + 2 + 8)
    }

    @Test func aPacketOfForgeriesCostsOneSignatureCheck() {
        let counting = CountingAuthenticator()
        var machine = Self.machine(authenticator: counting)
        counting.reset()
        let forged = (10..<210).map { byte -> MemberSnapshot in
            var record = MemberRecord(id: Self.id(UInt8(byte)), address: "x:1", zone: "z", capacity: 1, incarnation: 1)
            record.proof = .none
            return MemberSnapshot(record: record, state: .alive)
        }
        _ = machine.receive(Self.fromLiar([], message: .pushPull(PushPullState(isResponse: true, isJoin: false, members: forged))), now: .seconds(1))
        #expect(counting.checks == 1)
        #expect(machine.members.count == 3)
        // Repeats of what is already known cost none.
        counting.reset()
        _ = machine.receive(Self.fromLiar([.alive(Self.record(2)), .alive(Self.record(3))]), now: .seconds(2))
        #expect(counting.checks == 0)
    }
}

/// The checksum authenticator, counting the checks made.
final class CountingAuthenticator: MembershipAuthenticator {
    private let count = Atomic<Int>(0)

    var checks: Int { count.load(ordering: .relaxed) }
    func reset() { count.store(0, ordering: .relaxed) }

    func prove(_ claim: MemberClaim) -> MemberProof { checksums.prove(claim) }

    func isAuthentic(_ claim: MemberClaim, proof: MemberProof) -> Bool {
        count.add(1, ordering: .relaxed)
        return checksums.isAuthentic(claim, proof: proof)
    }
}
