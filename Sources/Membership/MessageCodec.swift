import Codecs

/// The binary encoding of `MembershipPacket`, version 2 (version 1 had no proofs).
///
/// ```
/// packet   = version:u8(1) type:u8 sender:id32 senderAddress:str body gossipCount:var update*
/// body     = ping(1): seq:var target:id32 | ack(2): seq:var | nack(3): seq:var
///          | pingRequest(4): seq:var target:id32 address:str | gossip(5): (empty)
///          | pushPull(6): flags:u8(bit0 response, bit1 join) count:var (state:u8 record)*
/// update   = alive(1): record | suspect(2): id32 incarnation:var accuser:id32
///          | dead(3): id32 incarnation:var accuser:id32 | left(4): id32 incarnation:var proof
/// record   = id32 address:str zone:str capacity:var usedBytes:var chunkCount:var incarnation:var proof
/// proof    = publicKey:32 signature:64 (the member's own, see `MemberClaim`)
/// var      = unsigned LEB128, at most 10 bytes; str = var length + UTF-8 bytes
/// ```
/// Decoding never traps: every count and length is checked against `Limits` and the
/// bytes left before anything is allocated, and errors say which field failed where.
public enum MessageCodec {
    /// The version byte written by `encode`.
    public static let version: UInt8 = 2

    /// Bounds on what `decode` accepts.
    public struct Limits: Hashable, Sendable {
        public var maxPacketBytes = 32 << 20
        public var maxMembers = 65_536
        public var maxGossip = 1_024
        public var maxAddressBytes = 255
        public var maxZoneBytes = 255

        public init() {}
    }

    private enum MessageTag: UInt8 {
        case ping = 1, ack, nack, pingRequest, gossip, pushPull
    }

    private enum UpdateTag: UInt8 {
        case alive = 1, suspect, dead, left
    }

    /// Encodes `packet`.
    public static func encode(_ packet: MembershipPacket) -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(version)
        switch packet.message {
        case .ping: writer.byte(MessageTag.ping.rawValue)
        case .ack: writer.byte(MessageTag.ack.rawValue)
        case .nack: writer.byte(MessageTag.nack.rawValue)
        case .pingRequest: writer.byte(MessageTag.pingRequest.rawValue)
        case .gossip: writer.byte(MessageTag.gossip.rawValue)
        case .pushPull: writer.byte(MessageTag.pushPull.rawValue)
        }
        writer.id(packet.sender)
        writer.string(packet.senderAddress)
        switch packet.message {
        case .ping(let seq, let target):
            writer.varint(UInt64(seq))
            writer.id(target)
        case .ack(let seq), .nack(let seq):
            writer.varint(UInt64(seq))
        case .pingRequest(let seq, let target, let address):
            writer.varint(UInt64(seq))
            writer.id(target)
            writer.string(address)
        case .gossip:
            break
        case .pushPull(let state):
            writer.byte((state.isResponse ? 1 : 0) | (state.isJoin ? 2 : 0))
            writer.varint(UInt64(state.members.count))
            for member in state.members {
                writer.byte(member.state.rawValue)
                write(member.record, to: &writer)
            }
        }
        writer.varint(UInt64(packet.gossip.count))
        for update in packet.gossip {
            switch update {
            case .alive(let record):
                writer.byte(UpdateTag.alive.rawValue)
                write(record, to: &writer)
            case .suspect(let id, let incarnation, let accuser), .dead(let id, let incarnation, let accuser):
                if case .suspect = update { writer.byte(UpdateTag.suspect.rawValue) } else { writer.byte(UpdateTag.dead.rawValue) }
                writer.id(id)
                writer.varint(incarnation)
                writer.id(accuser)
            case .left(let id, let incarnation, let proof):
                writer.byte(UpdateTag.left.rawValue)
                writer.id(id)
                writer.varint(incarnation)
                writer.proof(proof)
            }
        }
        return writer.bytes
    }

    /// Decodes one packet, which must use all of `bytes`.
    public static func decode(_ bytes: [UInt8], limits: Limits = Limits()) throws(MessageCodecError) -> MembershipPacket {
        guard bytes.count <= limits.maxPacketBytes else {
            throw MessageCodecError(.limitExceeded, at: 0, "packet of \(bytes.count) bytes exceeds \(limits.maxPacketBytes)")
        }
        var reader = ByteReader(bytes)
        let version = try reader.byte("version")
        guard version == Self.version else {
            throw MessageCodecError(.unsupportedVersion, at: 0, "version \(version), expected \(Self.version)")
        }
        let tagOffset = reader.offset
        guard let tag = MessageTag(rawValue: try reader.byte("message type")) else {
            throw MessageCodecError(.unknownTag, at: tagOffset, "message type \(bytes[tagOffset])")
        }
        let sender = try reader.id("sender")
        let senderAddress = try reader.string("sender address", limit: limits.maxAddressBytes)
        let message: MembershipMessage
        switch tag {
        case .ping:
            message = .ping(seq: try reader.uint32("ping seq"), target: try reader.id("ping target"))
        case .ack:
            message = .ack(seq: try reader.uint32("ack seq"))
        case .nack:
            message = .nack(seq: try reader.uint32("nack seq"))
        case .pingRequest:
            let seq = try reader.uint32("ping request seq")
            let target = try reader.id("ping request target")
            let address = try reader.string("ping request address", limit: limits.maxAddressBytes)
            message = .pingRequest(seq: seq, target: target, targetAddress: address)
        case .gossip:
            message = .gossip
        case .pushPull:
            let flagsOffset = reader.offset
            let flags = try reader.byte("push-pull flags")
            guard flags & ~3 == 0 else {
                throw MessageCodecError(.unknownTag, at: flagsOffset, "push-pull flags \(flags)")
            }
            let count = try reader.count("push-pull member count", limit: limits.maxMembers, minimumElementSize: minimumRecordSize + 1)
            var members = [MemberSnapshot]()
            members.reserveCapacity(count)
            for _ in 0..<count {
                let stateOffset = reader.offset
                guard let state = MemberState(rawValue: try reader.byte("member state")) else {
                    throw MessageCodecError(.unknownTag, at: stateOffset, "member state \(bytes[stateOffset])")
                }
                members.append(MemberSnapshot(record: try readRecord(&reader, limits: limits), state: state))
            }
            message = .pushPull(PushPullState(isResponse: flags & 1 != 0, isJoin: flags & 2 != 0, members: members))
        }
        let gossipCount = try reader.count("gossip count", limit: limits.maxGossip, minimumElementSize: 2 + MemberID.byteCount)
        var gossip = [MemberUpdate]()
        gossip.reserveCapacity(gossipCount)
        for _ in 0..<gossipCount {
            gossip.append(try readUpdate(&reader, limits: limits))
        }
        guard reader.remaining == 0 else {
            throw MessageCodecError(.trailingBytes, at: reader.offset, "\(reader.remaining) bytes after the packet")
        }
        return MembershipPacket(sender: sender, senderAddress: senderAddress, message: message, gossip: gossip)
    }

    /// id, two empty strings, four one-byte varints, proof.
    private static let minimumRecordSize = MemberID.byteCount + 2 + 4 + MemberProof.byteCount

    private static func write(_ record: MemberRecord, to writer: inout ByteWriter) {
        writer.recordFields(record)
        writer.proof(record.proof)
    }

    private static func readRecord(_ reader: inout ByteReader, limits: Limits) throws(MessageCodecError) -> MemberRecord {
        let id = try reader.id("record id")
        let address = try reader.string("record address", limit: limits.maxAddressBytes)
        let zone = try reader.string("record zone", limit: limits.maxZoneBytes)
        let capacity = try reader.varint("record capacity")
        let used = try reader.varint("record used bytes")
        let chunks = try reader.varint("record chunk count")
        let incarnation = try reader.varint("record incarnation")
        let proof = try reader.proof("record proof")
        return MemberRecord(
            id: id, address: address, zone: zone, capacity: capacity,
            meta: MemberMeta(usedBytes: used, chunkCount: chunks), incarnation: incarnation, proof: proof
        )
    }

    private static func readUpdate(_ reader: inout ByteReader, limits: Limits) throws(MessageCodecError) -> MemberUpdate {
        let tagOffset = reader.offset
        guard let tag = UpdateTag(rawValue: try reader.byte("update kind")) else {
            throw MessageCodecError(.unknownTag, at: tagOffset, "update kind \(reader.bytes[tagOffset])")
        }
        switch tag {
        case .alive:
            return .alive(try readRecord(&reader, limits: limits))
        case .suspect:
            return .suspect(try reader.id("suspect id"), incarnation: try reader.varint("suspect incarnation"), accuser: try reader.id("suspect accuser"))
        case .dead:
            return .dead(try reader.id("dead id"), incarnation: try reader.varint("dead incarnation"), accuser: try reader.id("dead accuser"))
        case .left:
            return .left(try reader.id("left id"), incarnation: try reader.varint("left incarnation"), proof: try reader.proof("left proof"))
        }
    }
}
