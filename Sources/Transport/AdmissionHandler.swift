import Logging
import NIOCore

/// Sits right above `TLSHandler`. After the handshake, sends this peer's admission proof
/// and checks the other side's; until that check passes nothing is passed up, and a peer
/// that fails it is disconnected before any other byte of it is looked at.
public final class AdmissionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State { case waitingForTLS, waitingForProof(TLSHandshakeCompleted), admitted, refused }

    private let secret: [UInt8]
    private let localNode: NodeID
    private let timeout: TimeAmount
    private let logger: Logger
    private var state = State.waitingForTLS
    private var received: ByteBuffer?
    private var deadline: Scheduled<Void>?

    public init(secret: [UInt8], localNode: NodeID, timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.secret = secret
        self.localNode = localNode
        self.timeout = timeout
        self.logger = logger
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let handshake = event as? TLSHandshakeCompleted, case .waitingForTLS = state else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        state = .waitingForProof(handshake)
        let proof = AdmissionProof.encode(secret: secret, exporter: handshake.exporter, sender: localNode)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: proof)), promise: nil)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            if case .waitingForProof = state { refuse(context: context, reason: "no admission proof within \(timeout)") }
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .admitted:
            context.fireChannelRead(data)
        case .refused:
            break
        case .waitingForTLS:
            refuse(context: context, reason: "data before the TLS handshake completed")
        case .waitingForProof(let handshake):
            var incoming = unwrapInboundIn(data)
            if received == nil { received = incoming } else { received!.writeBuffer(&incoming) }
            guard var buffer = received, buffer.readableBytes >= AdmissionProof.wireSize else { return }
            received = nil
            let proof = buffer.readBytes(length: AdmissionProof.wireSize)!
            if let reason = AdmissionProof.refusal(of: proof, secret: secret, exporter: handshake.exporter, sender: handshake.peer) {
                refuse(context: context, reason: "\(reason) (peer \(handshake.peer.short))")
                return
            }
            deadline?.cancel()
            state = .admitted
            logger.debug("peer admitted", metadata: ["peer": "\(handshake.peer.short)"])
            context.fireUserInboundEventTriggered(PeerAdmitted(peer: handshake.peer))
            if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .admitted = state else {
            promise?.fail(TransportError.notAdmitted)
            return
        }
        context.write(data, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        if case .refused = state { return }
        state = .refused
        received = nil
        deadline?.cancel()
        TransportMetrics.admissionRefused()
        logger.warning("admission refused, closing connection", metadata: ["reason": "\(reason)"])
        context.fireErrorCaught(TransportError.admissionRefused(reason: reason))
        context.close(promise: nil)
    }
}
