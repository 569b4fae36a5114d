import Membership
import Simulation
import Testing

@Suite struct PacketSizerTests {
    private func record(_ seed: UInt64) -> MemberRecord {
        var random = SimulationRandom(seed: seed)
        return MemberRecord(
            id: MemberID(bytes: random.bytes32())!, address: "n\(seed):7946", zone: "zone-\(seed % 8)",
            capacity: 1 << 40, meta: MemberMeta(usedBytes: 123_456_789, chunkCount: 4_242), incarnation: 1_700_000_000 + seed
        )
    }

    @Test func sizesMatchTheCodecForEveryMessageAndUpdateKind() {
        let sender = record(1)
        let other = record(2)
        let updates: [MemberUpdate] = [
            .alive(other), .suspect(other.id, incarnation: 7, accuser: sender.id),
            .dead(other.id, incarnation: 300, accuser: sender.id), .left(other.id, incarnation: 1 << 40, proof: .none),
        ]
        let messages: [MembershipMessage] = [
            .ping(seq: 1, target: other.id), .ack(seq: 200), .nack(seq: 70_000),
            .pingRequest(seq: 9, target: other.id, targetAddress: other.address), .gossip,
            .pushPull(PushPullState(isResponse: true, isJoin: false, members: (3..<40).map {
                MemberSnapshot(record: record($0), state: MemberState(rawValue: UInt8($0 % 4))!)
            })),
        ]
        let sizer = PacketSizer()
        for message in messages {
            for count in [0, 1, updates.count] {
                let packet = MembershipPacket(
                    sender: sender.id, senderAddress: sender.address, message: message, gossip: Array(updates.prefix(count))
                )
                #expect(sizer.size(of: packet) == MessageCodec.encode(packet).count, "\(message) with \(count) updates")
            }
        }
    }

    @Test func modeledAddressesCountAsTheirModeledLength() {
        let sender = record(1)
        let packet = MembershipPacket(sender: sender.id, senderAddress: sender.address, message: .ack(seq: 1))
        let real = PacketSizer().size(of: packet)
        let modeled = PacketSizer(modeledAddressBytes: 18).size(of: packet)
        #expect(modeled - real == 18 - sender.address.utf8.count)
    }
}
