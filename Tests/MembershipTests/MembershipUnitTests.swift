import Testing
@testable import Membership

@Suite struct MembershipUnitTests {
    @Test func logarithmsAreAccurate() {
        for x in [0.001, 0.5, 1, 2, 3, 10, 50, 1000, 12345.678] {
            #expect(abs(log2(x) - log2Reference(x)) < 1e-12 * max(1, abs(log2Reference(x))))
        }
        #expect(abs(log10(1000) - 3) < 1e-12)
    }

    /// Bisection on powers of two, independent of the series in the implementation.
    private func log2Reference(_ x: Double) -> Double {
        var low = -64.0, high = 64.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if pow2(middle) < x { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    private func pow2(_ y: Double) -> Double {
        let whole = y.rounded(.down)
        var fraction = y - whole, term = 1.0, sum = 1.0, k = 1.0
        fraction *= 0.693_147_180_559_945_3
        while k < 60 { term *= fraction / k; sum += term; k += 1 }
        return Double(sign: .plus, exponent: Int(whole), significand: sum)
    }

    @Test func restoreAddsMembersSilentlyAndTracksTheDead() {
        func record(_ byte: UInt8) -> MemberRecord {
            MemberRecord(id: MemberID(bytes: [UInt8](repeating: byte, count: 32))!, address: "h\(byte):1", zone: "z", capacity: 1, incarnation: 1)
        }
        var machine = MembershipStateMachine(local: record(1), authenticator: checksums, seed: 1, now: .zero)
        let snapshots = [
            MemberSnapshot(record: record(1), state: .dead), MemberSnapshot(record: record(2), state: .alive),
            MemberSnapshot(record: record(3), state: .suspect), MemberSnapshot(record: record(4), state: .dead),
        ]
        machine.restore(snapshots, now: .seconds(1))
        #expect(machine.activeMemberCount == 3)
        #expect(machine.localMember.state == .alive)
        #expect(machine.member(record(3).id)?.state == .alive)
        #expect(machine.deadIDs == [record(4).id])
        let actions = machine.tick(now: .seconds(1))
        #expect(!actions.contains { if case .memberChanged = $0 { true } else { false } })
        _ = machine.receive(MembershipPacket(sender: record(2).id, senderAddress: "h2:1", message: .gossip, gossip: [.alive(MemberRecord(id: record(4).id, address: "h4:1", zone: "z", capacity: 1, incarnation: 2).signed())]), now: .seconds(2))
        #expect(machine.deadIDs.isEmpty)
        #expect(machine.activeMemberCount == 4)
    }

    @Test func suspicionTimeoutShrinksWithConfirmations() {
        let a = MemberID(bytes: [UInt8](repeating: 1, count: 32))!
        let b = MemberID(bytes: [UInt8](repeating: 2, count: 32))!
        let c = MemberID(bytes: [UInt8](repeating: 3, count: 32))!
        var suspicion = Suspicion(accuser: a, incarnation: 1, start: .seconds(100), wanted: 2, minimum: .seconds(4), maximum: .seconds(24))
        #expect(suspicion.deadline == .seconds(124))
        let repeated = suspicion.confirm(a)
        #expect(!repeated)
        let first = suspicion.confirm(b)
        #expect(first)
        #expect(suspicion.deadline < .seconds(124) && suspicion.deadline > .seconds(104))
        let second = suspicion.confirm(c)
        #expect(second)
        #expect(suspicion.deadline == .seconds(104))
        let extra = suspicion.confirm(MemberID(bytes: [UInt8](repeating: 4, count: 32))!)
        #expect(!extra)
    }

    @Test func configurationFormulasMatchMemberlist() {
        let configuration = MembershipConfiguration()
        #expect(configuration.suspicionMinimum(members: 5) == .seconds(4))
        #expect(configuration.suspicionMaximum(members: 5) == .seconds(24))
        #expect(configuration.retransmitLimit(members: 5) == 4)
        #expect(configuration.retransmitLimit(members: 9) == 4)
        #expect(configuration.retransmitLimit(members: 10) == 8)
        #expect(configuration.retransmitLimit(members: 50) == 8)
        #expect(configuration.pushPullPeriod(members: 10) == .seconds(30))
        #expect(configuration.pushPullPeriod(members: 64) == .seconds(60))
        #expect(configuration.pushPullPeriod(members: 400) == .seconds(150))
    }

    @Test func broadcastQueueSendsLeastTransmittedFirstAndRetires() {
        var queue = BroadcastQueue()
        let ids = (1...3).map { MemberID(bytes: [UInt8](repeating: UInt8($0), count: 32))! }
        for id in ids { queue.enqueue(.left(id, incarnation: 1, proof: .none)) }
        let firstTake = queue.take(maximum: 2, transmitLimit: 2).map(\.memberID)
        #expect(firstTake == [ids[2], ids[1]])
        let secondTake = queue.take(maximum: 2, transmitLimit: 2).map(\.memberID)
        #expect(secondTake == [ids[0], ids[1]])
        // A newer update replaces the older one and starts from zero transmissions.
        queue.enqueue(.left(ids[2], incarnation: 2, proof: .none))
        let thirdTake = queue.take(maximum: 5, transmitLimit: 2)
        #expect(thirdTake == [.left(ids[2], incarnation: 2, proof: .none), .left(ids[0], incarnation: 1, proof: .none)])
        let lastTake = queue.take(maximum: 5, transmitLimit: 2)
        #expect(lastTake == [.left(ids[2], incarnation: 2, proof: .none)])
        #expect(queue.isEmpty)
    }
}
