import Testing
@testable import Membership

/// Issue 14: members first heard of from a third party are on probation until they answer
/// this peer themselves. Keys are cheap, so an admitted liar can make up members that
/// sign their own records; on probation they get no gossip, push-pulls or indirect
/// probes, and the driver leaves them out of the placement.
@Suite struct MembershipProbationTests {
    private static func id(_ byte: UInt8) -> MemberID { MemberID(bytes: [UInt8](repeating: byte, count: 32))! }

    private static func record(_ byte: UInt8, address: String? = nil) -> MemberRecord {
        MemberRecord(id: id(byte), address: address ?? "h\(byte):1", zone: "z", capacity: 1, incarnation: 10).signed()
    }

    /// Peer 1, knowing 2 and 3 (restored: trusted), after 3 (the liar) pushed `fakes`, at
    /// `address` if given.
    private static func floodedMachine(fakes: ClosedRange<UInt8>, at address: String? = nil) -> (MembershipStateMachine, [MembershipAction]) {
        var machine = MembershipStateMachine(local: record(1), authenticator: checksums, seed: 7, now: .zero)
        machine.restore([MemberSnapshot(record: record(2), state: .alive), MemberSnapshot(record: record(3), state: .alive)], now: .zero)
        let members = fakes.map { MemberSnapshot(record: record($0, address: address), state: .alive) }
        let push = MembershipPacket(
            sender: id(3), senderAddress: "h3:1",
            message: .pushPull(PushPullState(isResponse: true, isJoin: false, members: members)), gossip: [])
        let actions = machine.receive(push, now: .seconds(1))
        return (machine, actions)
    }

    private static func sends(_ actions: [MembershipAction]) -> [(MembershipMessage, MemberID?)] {
        actions.compactMap { action in
            guard case .send(let packet, let endpoint) = action else { return nil }
            return (packet.message, endpoint.id)
        }
    }

    @Test func aThirdPartysMembersGetNoFanOutUntilTheyAnswer() {
        let fakes = Set((10...29).map { Self.id($0) })
        var (machine, all) = Self.floodedMachine(fakes: 10...29)
        #expect(machine.members.count == 23)
        #expect(fakes.allSatisfy { !machine.isConfirmed($0) })
        #expect(machine.isConfirmed(Self.id(2)) && machine.isConfirmed(Self.id(3)) && machine.isConfirmed(Self.id(1)))

        // Two minutes of rounds (nobody answers, so the probes suspect and kill fakes):
        // gossip, push-pulls, indirect probes and the reconnect round go to 2 and 3 only.
        var now = Duration.seconds(1)
        while now < .seconds(121) {
            now += .milliseconds(100)
            all += machine.tick(now: now)
        }
        var fannedOut = 0
        for (message, destination) in Self.sends(all) {
            switch message {
            case .gossip, .pushPull, .pingRequest:
                #expect(destination.map { !fakes.contains($0) } ?? true, "\(message) sent to a member on probation")
                fannedOut += 1
            case .ping, .ack, .nack:
                break
            }
        }
        #expect(fannedOut > 0)
        // Probed all the same: that is how a member on probation is found out.
        #expect(fakes.contains { machine.member($0)?.state == .dead })
    }

    @Test func confirmationPingsAreBoundedAndAnAnswerConfirms() {
        let configuration = MembershipConfiguration()
        var (machine, actions) = Self.floodedMachine(fakes: 10...109)
        // Pinged at once, a bounded number per gossip round.
        let pinged = Self.sends(actions).filter { if case .ping = $0.0 { true } else { false } }
        #expect(!pinged.isEmpty)
        #expect(pinged.count <= configuration.confirmationPingsPerRound)
        // The next round: its confirmation pings, and perhaps the probe round's one.
        let next = Self.sends(machine.tick(now: .seconds(1) + configuration.gossipInterval))
            .filter { if case .ping = $0.0 { true } else { false } }
        #expect(!next.isEmpty && next.count <= configuration.confirmationPingsPerRound + 1)

        // Any packet from the member itself (the driver checked its TLS identity) confirms it.
        let answer = MembershipPacket(sender: Self.id(10), senderAddress: "h10:1", message: .ack(seq: 12_345), gossip: [])
        let answered = machine.receive(answer, now: .seconds(2))
        #expect(machine.isConfirmed(Self.id(10)))
        #expect(answered.contains(.memberConfirmed(Self.id(10))))
        #expect(!machine.isConfirmed(Self.id(11)))
        // A member whose own record arrives in its own packet needs no probation.
        let newcomer = MembershipPacket(sender: Self.id(200), senderAddress: "h200:1", message: .gossip, gossip: [.alive(Self.record(200))])
        _ = machine.receive(newcomer, now: .seconds(2))
        #expect(machine.member(Self.id(200)) != nil)
        #expect(machine.isConfirmed(Self.id(200)))
    }

    @Test func membersMadeUpAtOneAddressCostItOneConfirmationPingPerRound() {
        let configuration = MembershipConfiguration()
        var (machine, actions) = Self.floodedMachine(fakes: 10...109, at: "victim:443")
        var now = Duration.seconds(1)
        for _ in 0..<20 {
            let toVictim = Self.sends(actions).filter { _, destination in
                destination.map { machine.member($0)?.address == "victim:443" } ?? false
            }
            // The probe round may add one ping of its own.
            #expect(toVictim.count <= 2, "\(toVictim.count) packets to one address in a round")
            now += configuration.gossipInterval
            actions = machine.tick(now: now)
        }
        // The others wait their turn, still on probation.
        #expect((10...109).filter { !machine.isConfirmed(Self.id($0)) }.count == 100)
    }
}
