import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Listens for peers: every accepted connection runs the peer pipeline and, once
/// admitted, is handed to `onConnection` so the node can also call back over it.
public final class TransportServer: Sendable {
    private let channel: Channel
    private let accepted: AcceptedChannels
    /// The bound address (the real port when asked for port 0).
    public let localAddress: SocketAddress

    private init(channel: Channel, accepted: AcceptedChannels) {
        self.channel = channel
        self.accepted = accepted
        self.localAddress = channel.localAddress!
    }

    public var port: Int { localAddress.port ?? 0 }

    public static func start(
        host: String, port: Int, credentials: PeerCredentials, service: any RPCService,
        configuration: TransportConfiguration = TransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onConnection: @escaping @Sendable (PeerConnection) -> Void = { _ in }
    ) async throws -> TransportServer {
        let accepted = AcceptedChannels()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "remote"] = "\(child.remoteAddress?.description ?? "?")"
                    let admitted = child.eventLoop.makePromise(of: NodeID.self)
                    accepted.add(child)
                    try PeerPipeline.configure(
                        channel: child, role: .server, credentials: credentials, configuration: configuration,
                        service: service, admitted: admitted, logger: connectionLogger)
                    admitted.futureResult.whenSuccess { peer in onConnection(PeerConnection(peer: peer, channel: child)) }
                }
            }
            .bind(host: host, port: port)
            .get()
        logger.info("listening for peers", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        return TransportServer(channel: channel, accepted: accepted)
    }

    /// Stops accepting and closes every accepted connection (with close_notify).
    public func close() async {
        try? await channel.close()
        for child in accepted.drain() { try? await child.close() }
    }
}

/// The connections a server accepted and that are still open.
private final class AcceptedChannels: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    func add(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLockedValue { $0.removeValue(forKey: key) } }
    }

    func drain() -> [Channel] {
        channels.withLockedValue { all in
            defer { all = [:] }
            return Array(all.values)
        }
    }
}
