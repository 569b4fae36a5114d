import Membership
import NIOCore

/// The engine's control RPCs as typed requests: the hello of a seed (0x0001), a SWIM
/// packet (0x0101, encoded by `MessageCodec`) and an operator's removal (0x0102).
enum ControlMessages {
    /// The caller's advertised address; the answer is the callee's.
    struct Hello: PeerRequest {
        static let method = PeerMethod.hello
        /// Longest address either side reads.
        static let maximumAddress = 300
        let payload: ByteBuffer

        init(advertising address: String) {
            payload = ByteBuffer(string: address)
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> String {
            guard answer.readableBytes <= Self.maximumAddress, let address = answer.getString(at: answer.readerIndex, length: answer.readableBytes)
            else { throw .malformed("hello: not an address") }
            return address
        }
    }

    /// One SWIM packet; the answer is empty (acks travel as packets of their own).
    struct Membership: PeerRequest {
        static let method = PeerMethod.membership
        let payload: ByteBuffer

        init(_ packet: MembershipPacket) {
            payload = ByteBuffer(bytes: MessageCodec.encode(packet))
        }
    }

    /// "Remove this failed member now": its 32-byte id and the incarnation it failed at
    /// (big-endian), 40 bytes exactly; the answer is empty.
    struct RemoveMember: PeerRequest {
        static let method = PeerMethod.removeMember
        static let size = MemberID.byteCount + 8
        let member: MemberID
        let incarnation: UInt64

        init(member: MemberID, incarnation: UInt64) {
            self.member = member
            self.incarnation = incarnation
        }

        /// Reads a received payload; anything but 40 bytes is malformed.
        init(payload: ByteBuffer) throws(ChunkMessageError) {
            guard payload.readableBytes == Self.size,
                let bytes = payload.getBytes(at: payload.readerIndex, length: MemberID.byteCount),
                let member = MemberID(bytes: bytes),
                let incarnation = payload.getInteger(at: payload.readerIndex + MemberID.byteCount, as: UInt64.self)
            else { throw .malformed("remove member: \(payload.readableBytes) bytes, \(Self.size) expected") }
            self.init(member: member, incarnation: incarnation)
        }

        var payload: ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Self.size)
            buffer.writeBytes(member.bytes)
            buffer.writeInteger(incarnation)
            return buffer
        }
    }
}
