import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OpenSSLKit
import Transport

/// A listener with only `TLSHandler` (no admission, no frames): on handshake it sends
/// `size` deterministic bytes and closes with close_notify. For interop with `openssl`.
final class BareTLSServer: Sendable {
    let channel: Channel
    let handshakes: NIOLockedValueBox<Int>
    var port: Int { channel.localAddress!.port! }

    private init(channel: Channel, handshakes: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.handshakes = handshakes
    }

    static func payload(size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    }

    static func start(credentials: PeerCredentials, sending size: Int) async throws -> BareTLSServer {
        let handshakes = NIOLockedValueBox(0)
        let payload = payload(size: size)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(TLSHandler(context: credentials.tlsContext, role: .server, logger: testLogger))
                    try child.pipeline.syncOperations.addHandler(SendOnHandshake(payload: payload, handshakes: handshakes))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return BareTLSServer(channel: channel, handshakes: handshakes)
    }

    func close() async { try? await channel.close() }
}

private final class SendOnHandshake: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let payload: [UInt8]
    let handshakes: NIOLockedValueBox<Int>

    init(payload: [UInt8], handshakes: NIOLockedValueBox<Int>) {
        self.payload = payload
        self.handshakes = handshakes
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is TLSHandshakeCompleted else { return }
        handshakes.withLockedValue { $0 += 1 }
        var offset = 0
        while offset < payload.count {
            let end = min(payload.count, offset + 1 << 20)
            context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: payload[offset..<end])), promise: nil)
            offset = end
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Connects with only `TLSHandler` and returns the handshake result.
enum BareTLSClient {
    static func handshake(credentials: PeerCredentials, port: Int) async throws -> TLSHandshakeCompleted {
        let box = NIOLockedValueBox<EventLoopFuture<TLSHandshakeCompleted>?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let promise = channel.eventLoop.makePromise(of: TLSHandshakeCompleted.self)
                    box.withLockedValue { $0 = promise.futureResult }
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: credentials.tlsContext, role: .client, logger: testLogger))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWaiter(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        return try await box.withLockedValue { $0 }!.get()
    }
}

private final class HandshakeWaiter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<TLSHandshakeCompleted>
    init(promise: EventLoopPromise<TLSHandshakeCompleted>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted { promise.succeed(completed) }
    }
    func errorCaught(context: ChannelHandlerContext, error: Error) { promise.fail(error) }
    func channelInactive(context: ChannelHandlerContext) { promise.fail(TransportError.connectionClosed) }
    func handlerRemoved(context: ChannelHandlerContext) { promise.fail(TransportError.connectionClosed) }
}
