import Logging
import Membership
import NIOCore
import Transport

/// Answers the requests of other peers by handing them to the node.
struct PeerService: RPCService {
    let node: PeerNode
    let advertise: HostPort
    let logger: Logger

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        switch request.method {
        case PeerMethod.hello:
            let caller = request.payload.getString(at: request.payload.readerIndex, length: min(request.payload.readableBytes, 300)) ?? ""
            logger.info("hello from peer", metadata: ["peer": "\(request.peer.short)", "address": "\(caller)"])
            return ByteBuffer(string: advertise.description)
        case PeerMethod.membership:
            let bytes = request.payload.getBytes(at: request.payload.readerIndex, length: request.payload.readableBytes) ?? []
            let packet: MembershipPacket
            do {
                packet = try MessageCodec.decode(bytes)
            } catch {
                throw RPCError.badRequest("membership packet: \(error)")
            }
            // The sender named in the packet must be the peer that proved its key over TLS.
            guard packet.sender.bytes == request.peer.bytes else {
                logger.warning("membership packet with a forged sender", metadata: ["peer": "\(request.peer.short)"])
                throw RPCError.badRequest("packet sender does not match the connection's NodeID")
            }
            await node.receive(packet)
            return ByteBuffer()
        default:
            throw RPCError.unknownMethod(request.method)
        }
    }
}
