import Logging
import NIOCore
import Transport

/// Answers the requests of other peers.
struct PeerService: RPCService {
    let advertise: HostPort
    let logger: Logger

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        switch request.method {
        case PeerMethod.hello:
            let caller = request.payload.getString(at: request.payload.readerIndex, length: min(request.payload.readableBytes, 300)) ?? ""
            logger.info("hello from peer", metadata: ["peer": "\(request.peer.short)", "address": "\(caller)"])
            return ByteBuffer(string: advertise.description)
        default:
            throw RPCError.unknownMethod(request.method)
        }
    }
}
