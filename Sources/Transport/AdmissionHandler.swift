import Logging
import NIOCore
import OpenSSLKit

/// Sits right above `TLSHandler`. After the handshake the connecting side sends its
/// admission proof (made with its current network key); the accepting side checks it
/// against its keys (`AdmissionKeyring`: revoked members refused, older keys only for
/// members the network knew) and answers with a proof made with the key that matched —
/// marked stale when that is not its current key, so the caller learns it is behind.
/// Until its check passes nothing is passed up, and a peer that fails it is disconnected
/// before any other byte of it is looked at.
public final class AdmissionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State { case waitingForTLS, waitingForProof(TLSHandshakeCompleted, sent: [UInt8]?), admitted, refused }

    private let keyring: AdmissionKeyring
    private let role: TLSConnection.Role
    private let localNode: NodeID
    private let timeout: TimeAmount
    private let logger: Logger
    private var state = State.waitingForTLS
    private var received: ByteBuffer?
    private var deadline: Scheduled<Void>?

    public init(keyring: AdmissionKeyring, role: TLSConnection.Role, localNode: NodeID, timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.keyring = keyring
        self.role = role
        self.localNode = localNode
        self.timeout = timeout
        self.logger = logger
    }

    /// One secret, never rotated (tests of the transport alone).
    public convenience init(secret: [UInt8], role: TLSConnection.Role, localNode: NodeID, timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.init(keyring: AdmissionKeyring(NetworkKeys(secret: secret)), role: role, localNode: localNode, timeout: timeout, logger: logger)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let handshake = event as? TLSHandshakeCompleted, case .waitingForTLS = state else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        var sent: [UInt8]?
        if role == .client {
            let secret = keyring.keys.current.secret
            sent = secret
            let proof = AdmissionProof.encode(secret: secret, exporter: handshake.exporter, sender: localNode)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: proof)), promise: nil)
        }
        state = .waitingForProof(handshake, sent: sent)
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
        case .waitingForProof(let handshake, let sent):
            var incoming = unwrapInboundIn(data)
            if received == nil { received = incoming } else { received!.writeBuffer(&incoming) }
            guard var buffer = received, buffer.readableBytes >= AdmissionProof.wireSize else { return }
            received = nil
            let proof = buffer.readBytes(length: AdmissionProof.wireSize)!
            if let sent {
                // The connecting side: the answer is proved with the key it sent, current or stale.
                let current = AdmissionProof.refusal(of: proof, secret: sent, exporter: handshake.exporter, sender: handshake.peer)
                let stale = current == nil ? "" : AdmissionProof.refusal(of: proof, secret: sent, exporter: handshake.exporter, sender: handshake.peer, stale: true)
                if let current, stale != nil {
                    refuse(context: context, reason: "\(current) (peer \(handshake.peer.short))")
                    return
                }
                admit(context: context, peer: handshake.peer, rest: buffer)
                if current != nil {
                    logger.notice("admitted with an older network key: this peer is behind", metadata: ["peer": "\(handshake.peer.short)"])
                    let remote = context.channel.remoteAddress
                    keyring.reportBehind(handshake.peer, at: remote.flatMap { address in
                        address.ipAddress.flatMap { ip in address.port.map { "\(ip):\($0)" } }
                    })
                }
            } else {
                // The accepting side: check, then answer with the key that matched.
                let answer: [UInt8]
                switch keyring.decide(proof: proof, exporter: handshake.exporter, sender: handshake.peer) {
                case .refused(let reason):
                    refuse(context: context, reason: "\(reason) (peer \(handshake.peer.short))")
                    return
                case .admitted(let key):
                    answer = AdmissionProof.encode(secret: key, exporter: handshake.exporter, sender: localNode)
                case .behind(let key):
                    logger.info("admitted a peer with an older network key", metadata: ["peer": "\(handshake.peer.short)"])
                    answer = AdmissionProof.encode(secret: key, exporter: handshake.exporter, sender: localNode, stale: true)
                }
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: answer)), promise: nil)
                admit(context: context, peer: handshake.peer, rest: buffer)
            }
        }
    }

    private func admit(context: ChannelHandlerContext, peer: NodeID, rest: ByteBuffer) {
        deadline?.cancel()
        state = .admitted
        logger.debug("peer admitted", metadata: ["peer": "\(peer.short)"])
        context.fireUserInboundEventTriggered(PeerAdmitted(peer: peer))
        if rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
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
        if case .waitingForProof(let handshake, .some) = state {
            // The accepting side closes without answering when it refuses a proof.
            refuse(context: context, reason: "peer \(handshake.peer.short) closed the connection instead of answering the proof: "
                + "it refused this peer (another network's secret, an old join token, or this peer was revoked)")
        }
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
