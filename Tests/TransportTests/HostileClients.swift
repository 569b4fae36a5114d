import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Transport

/// What a hostile client saw, readable from the test while its channel runs.
final class ClientProbe: Sendable {
    /// Noted on `channelActive`: the server may have closed the channel (which then has no
    /// address any more) by the time `connect` returns.
    let localAddress = NIOLockedValueBox<String?>(nil)
    let received = NIOLockedValueBox(0)
    let handshakes = NIOLockedValueBox(0)

    /// The `remote` metadata the server logs this connection under.
    var remote: String { localAddress.withLockedValue { $0 } ?? "?" }
}

/// A plain TCP client that sends whatever it is told and counts what comes back.
enum RawTCPClient {
    static func connect(port: Int, probe: ClientProbe) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler(probe: probe, afterHandshake: []))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }
}

/// A client that completes TLS 1.3 like a peer but then sends `afterHandshake` in place
/// of a valid admission proof.
enum RawTLSClient {
    static func connect(
        credentials: PeerCredentials, port: Int, afterHandshake: [UInt8], probe: ClientProbe
    ) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TLSHandler(context: credentials.tlsContext, role: .client, logger: testLogger))
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler(probe: probe, afterHandshake: afterHandshake))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }
}

/// Writes raw bytes into an admitted connection's TLS stream, below the admission and frame
/// handlers (which would refuse or re-frame them), so they reach the peer as-is.
func inject(_ bytes: [UInt8], into connection: PeerConnection) async throws {
    let channel = connection.channel
    try await channel.eventLoop.submit {
        let context = try channel.pipeline.syncOperations.context(handlerType: AdmissionHandler.self)
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }.get()
}

/// Fills a `ClientProbe`; on `TLSHandshakeCompleted` (when under a `TLSHandler`) writes
/// `afterHandshake`.
private final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let probe: ClientProbe
    let afterHandshake: [UInt8]

    init(probe: ClientProbe, afterHandshake: [UInt8]) {
        self.probe = probe
        self.afterHandshake = afterHandshake
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.channel.localAddress.map { "\($0)" }
        probe.localAddress.withLockedValue { $0 = address }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is TLSHandshakeCompleted else { return }
        probe.handshakes.withLockedValue { $0 += 1 }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: afterHandshake)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        probe.received.withLockedValue { $0 += count }
    }
}
