import Testing
import Membership

@Suite struct MessageCodecTests {
    private static func id(_ byte: UInt8) -> MemberID { MemberID(bytes: [UInt8](repeating: byte, count: 32))! }

    private static let record = MemberRecord(
        id: id(7), address: "10.0.0.7:7946", zone: "rack-ä", capacity: 1 << 42,
        meta: MemberMeta(usedBytes: 123_456_789, chunkCount: 42), incarnation: UInt64.max
    )

    static let samples: [MembershipPacket] = {
        let gossip: [MemberUpdate] = [
            .alive(record), .suspect(id(1), incarnation: 3, accuser: id(2)),
            .dead(id(3), incarnation: 0, accuser: id(4)), .left(id(5), incarnation: 1 << 40, proof: MemberProof(publicKey: id(5), signatureHigh: id(6), signatureLow: id(7))),
        ]
        let messages: [MembershipMessage] = [
            .ping(seq: 0, target: id(9)), .ack(seq: UInt32.max), .nack(seq: 300),
            .pingRequest(seq: 5, target: id(8), targetAddress: "[::1]:1"), .gossip,
            .pushPull(PushPullState(isResponse: true, isJoin: false, members: [
                MemberSnapshot(record: record, state: .suspect), MemberSnapshot(record: record, state: .left),
            ])),
            .pushPull(PushPullState(isResponse: false, isJoin: true, members: [])),
        ]
        return messages.map { MembershipPacket(sender: id(6), senderAddress: "h:1", message: $0, gossip: gossip) }
            + [MembershipPacket(sender: id(0), senderAddress: "", message: .gossip)]
    }()

    @Test(arguments: samples) func roundTrips(_ packet: MembershipPacket) throws {
        let bytes = MessageCodec.encode(packet)
        #expect(bytes.first == MessageCodec.version)
        #expect(try MessageCodec.decode(bytes) == packet)
    }

    @Test func refusesBadInputWithTypedErrors() {
        let good = MessageCodec.encode(Self.samples[0])
        #expect(throws: MessageCodecError.self) { try MessageCodec.decode([]) }
        func kind(_ bytes: [UInt8], _ limits: MessageCodec.Limits = .init()) -> MessageCodecError.Kind? {
            do { _ = try MessageCodec.decode(bytes, limits: limits); return nil } catch { return error.kind }
        }
        #expect(kind([1] + good.dropFirst()) == .unsupportedVersion)
        #expect(kind([MessageCodec.version, 99] + good.dropFirst(2)) == .unknownTag)
        #expect(kind(good + [0]) == .trailingBytes)
        #expect(kind(Array(good.dropLast())) == .truncated)
        var tight = MessageCodec.Limits()
        tight.maxGossip = 3
        #expect(kind(good, tight) == .limitExceeded)
        // A push-pull claiming 2^62 members is refused before any allocation.
        var header = Array(MessageCodec.encode(MembershipPacket(sender: Self.id(1), senderAddress: "", message: .gossip)).prefix(35))
        header[1] = 6
        #expect(kind(header + [0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]) == .limitExceeded)
        #expect(kind(header + [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == .malformedInteger)
        // Invalid UTF-8 in the sender address.
        var badUTF8 = Array(MessageCodec.encode(MembershipPacket(sender: Self.id(1), senderAddress: "ab", message: .gossip)))
        badUTF8[35] = 0xff
        #expect(kind(badUTF8) == .invalidUTF8)
    }

    @Test func tenThousandRandomAndMutatedInputsNeverCrash() throws {
        var random = Xoshiro256StarStar(seed: 0x5eed)
        let encoded = Self.samples.map(MessageCodec.encode)
        var decoded = 0
        for round in 0..<10_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                if round % 8 == 0, !bytes.isEmpty { bytes[0] = MessageCodec.version }
            } else {
                bytes = encoded[Int.random(in: 0..<encoded.count, using: &random)]
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0 where !bytes.isEmpty:
                        bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                    case 1 where !bytes.isEmpty:
                        bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &random)...)
                    case 2:
                        bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
                    default:
                        if !bytes.isEmpty { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random)) }
                    }
                }
            }
            if let packet = try? MessageCodec.decode(bytes) {
                decoded += 1
                // Whatever decodes must re-encode to something that decodes the same.
                #expect(try MessageCodec.decode(MessageCodec.encode(packet)) == packet)
            }
        }
        print("membership codec: 10,000 fuzz inputs, \(decoded) decoded, none crashed")
    }
}
