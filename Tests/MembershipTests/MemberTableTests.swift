import Testing
@testable import Membership

@Suite struct MemberTableTests {
    private func record(_ byte: UInt8, incarnation: UInt64 = 1) -> MemberRecord {
        MemberRecord(id: MemberID(bytes: [UInt8](repeating: byte, count: 32))!, address: "h\(byte):1", zone: "z", capacity: 1, incarnation: incarnation)
    }

    @Test func recordsShareStorageUntilAFieldChanges() {
        let original = record(1)
        var copy = original
        #expect(copy.isIdentical(to: original))
        copy.incarnation = 1
        #expect(copy.isIdentical(to: original), "setting a field to its value keeps the record shared")
        copy.incarnation = 2
        #expect(!copy.isIdentical(to: original))
        #expect(original.incarnation == 1 && copy.incarnation == 2)
        #expect(copy != original)
        copy.incarnation = 1
        #expect(copy == original && copy.hashValue == original.hashValue)
    }

    @Test func lookupAppendAndRemovalKeepIndexAndIdOrder() {
        var table = MemberTable()
        // Appended out of id order, enough to grow the index several times.
        let bytes: [UInt8] = (1...200).map { UInt8(($0 * 37) % 251) }
        for (offset, byte) in bytes.enumerated() {
            table.append(Member(record: record(byte), state: .alive, since: .milliseconds(offset)))
        }
        #expect(table.count == 200)
        for (offset, byte) in bytes.enumerated() {
            #expect(table.row(of: record(byte).id) == offset)
            #expect(table[offset].since == .milliseconds(offset))
        }
        #expect(table.row(of: record(252).id) == nil)
        let ordered = table.idOrder.map { table.records[Int($0)].id }
        #expect(ordered == ordered.sorted())

        table[id: record(bytes[5]).id] = Member(record: record(bytes[5], incarnation: 9), state: .dead, since: .seconds(3))
        #expect(table[5].state == .dead && table[5].incarnation == 9 && table.count == 200)

        table.removeAll(rows: [3, 5, 199])
        #expect(table.count == 197)
        for removed in [bytes[3], bytes[5], bytes[199]] { #expect(table.row(of: record(removed).id) == nil) }
        let kept = bytes.enumerated().filter { ![3, 5, 199].contains($0.offset) }.map(\.element)
        for (row, byte) in kept.enumerated() { #expect(table.row(of: record(byte).id) == row) }
        let reordered = table.idOrder.map { table.records[Int($0)].id }
        #expect(reordered == reordered.sorted() && Set(table.idOrder).count == 197)
    }

    @Test func aPingToASuspectCarriesItsSuspicionFirst() {
        var machine = MembershipStateMachine(local: record(1), authenticator: checksums, seed: 5, now: .zero)
        machine.restore([MemberSnapshot(record: record(2), state: .alive)], now: .zero)
        let rumour = MembershipPacket(
            sender: record(3).id, senderAddress: "h3:1", message: .gossip,
            gossip: [.suspect(record(2).id, incarnation: 1, accuser: record(3).id)]
        )
        _ = machine.receive(rumour, now: .milliseconds(100))
        #expect(machine.member(record(2).id)?.state == .suspect)
        let pings = machine.tick(now: .seconds(1)).compactMap { action -> MembershipPacket? in
            if case .send(let packet, _) = action, case .ping = packet.message { packet } else { nil }
        }
        #expect(pings.count == 1)
        #expect(pings.first?.gossip.first == .suspect(record(2).id, incarnation: 1, accuser: record(1).id))
    }

    @Test func pushPullPeriodStretchesToTheBandwidthBudget() {
        var configuration = MembershipConfiguration()
        // memberlist's scaling decides up to ≈ 460 members ...
        #expect(configuration.pushPullPeriod(members: 400) == .seconds(150))
        // ... the budget beyond: 2 × 10,000 × 168 B (72 B and the proof) at 1,024 B/s.
        #expect(configuration.pushPullPeriod(members: 10_000) == .milliseconds(3_281_250))
        configuration.pushPullBytesPerSecond = 0
        #expect(configuration.pushPullPeriod(members: 10_000) == .seconds(300))
    }
}
