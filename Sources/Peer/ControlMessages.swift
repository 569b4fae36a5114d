import Membership
import NIOCore

/// The engine's control RPCs as typed requests: the hello of a seed (0x0001) and a SWIM
/// packet (0x0101, encoded by `MessageCodec`).
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
}
