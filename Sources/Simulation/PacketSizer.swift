import Membership

/// The size `MessageCodec.encode` gives a packet, computed without encoding it (a
/// 10,000-member push-pull would otherwise cost an allocation of ≈ 0.5 MB per send).
/// A test checks it against the codec byte for byte.
public struct PacketSizer: Sendable {
    /// When set, every address counts as this many bytes instead of its real length, so
    /// short simulated names ("n42:7946") stand for real "203.0.113.254:7946" ones.
    public var modeledAddressBytes: Int?

    public init(modeledAddressBytes: Int? = nil) {
        self.modeledAddressBytes = modeledAddressBytes
    }

    /// The encoded size of `packet` in bytes.
    public func size(of packet: MembershipPacket) -> Int {
        var total = 2 + MemberID.byteCount + address(packet.senderAddress)
        switch packet.message {
        case .ping(let seq, _):
            total += Self.varint(UInt64(seq)) + MemberID.byteCount
        case .ack(let seq), .nack(let seq):
            total += Self.varint(UInt64(seq))
        case .pingRequest(let seq, _, let targetAddress):
            total += Self.varint(UInt64(seq)) + MemberID.byteCount + address(targetAddress)
        case .gossip:
            break
        case .pushPull(let state):
            total += 1 + Self.varint(UInt64(state.members.count))
            for member in state.members { total += 1 + size(of: member.record) }
        }
        total += Self.varint(UInt64(packet.gossip.count))
        for update in packet.gossip {
            switch update {
            case .alive(let record):
                total += 1 + size(of: record)
            case .suspect(_, let incarnation, _), .dead(_, let incarnation, _):
                total += 1 + 2 * MemberID.byteCount + Self.varint(incarnation)
            case .left(_, let incarnation, _):
                total += 1 + MemberID.byteCount + Self.varint(incarnation) + MemberProof.byteCount
            }
        }
        return total
    }

    private func size(of record: MemberRecord) -> Int {
        MemberID.byteCount + address(record.address) + Self.string(record.zone.utf8.count)
            + Self.varint(record.capacity) + Self.varint(record.meta.usedBytes)
            + Self.varint(record.meta.chunkCount) + Self.varint(record.incarnation) + MemberProof.byteCount
    }

    private func address(_ value: String) -> Int {
        Self.string(modeledAddressBytes ?? value.utf8.count)
    }

    private static func string(_ length: Int) -> Int { varint(UInt64(length)) + length }

    /// LEB128 length of `value`.
    static func varint(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
