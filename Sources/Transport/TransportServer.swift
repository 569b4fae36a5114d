import Logging
import NIOCore
import NIOPosix

/// Listens for peers: every accepted connection runs the peer pipeline and, once
/// admitted, is handed to `onConnection` so the node can also call back over it.
public final class TransportServer: Sendable {
    private let channel: Channel
    /// The bound address (the real port when asked for port 0).
    public let localAddress: SocketAddress

    private init(channel: Channel) {
        self.channel = channel
        self.localAddress = channel.localAddress!
    }

    public var port: Int { localAddress.port ?? 0 }

    public static func start(
        host: String, port: Int, credentials: PeerCredentials, service: any RPCService,
        configuration: TransportConfiguration = TransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onConnection: @escaping @Sendable (PeerConnection) -> Void = { _ in }
    ) async throws -> TransportServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "remote"] = "\(child.remoteAddress?.description ?? "?")"
                    let admitted = child.eventLoop.makePromise(of: NodeID.self)
                    try PeerPipeline.configure(
                        channel: child, role: .server, credentials: credentials, configuration: configuration,
                        service: service, admitted: admitted, logger: connectionLogger)
                    admitted.futureResult.whenSuccess { peer in onConnection(PeerConnection(peer: peer, channel: child)) }
                }
            }
            .bind(host: host, port: port)
            .get()
        logger.info("listening for peers", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        return TransportServer(channel: channel)
    }

    /// Stops accepting; connections already open stay until closed.
    public func close() async {
        try? await channel.close()
    }
}
