import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Opens admitted connections to other peers.
public struct PeerConnector: Sendable {
    public let credentials: PeerCredentials
    public let configuration: TransportConfiguration
    public let service: any RPCService
    public let group: any EventLoopGroup
    public let logger: Logger

    public init(
        credentials: PeerCredentials, service: any RPCService = NoRPCService(),
        configuration: TransportConfiguration = TransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.credentials = credentials
        self.configuration = configuration
        self.service = service
        self.group = group
        self.logger = logger
    }

    /// Connects, completes TLS 1.3 and admission, and returns the connection. Fails with
    /// the transport's reason (refused admission, handshake timeout, …).
    public func connect(host: String, port: Int) async throws -> PeerConnection {
        let admittedBox = AdmittedBox()
        let configuration = configuration
        let credentials = credentials
        let service = service
        var connectionLogger = logger
        connectionLogger[metadataKey: "remote"] = "\(host):\(port)"
        let logger = connectionLogger
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = channel.eventLoop.makePromise(of: NodeID.self)
                    admittedBox.future.withLockedValue { $0 = admitted.futureResult }
                    try PeerPipeline.configure(
                        channel: channel, role: .client, credentials: credentials, configuration: configuration,
                        service: service, admitted: admitted, logger: logger)
                }
            }
            .connect(host: host, port: port)
            .get()
        guard let admitted = admittedBox.future.withLockedValue({ $0 }) else { throw TransportError.connectionClosed }
        do {
            let peer = try await admitted.get()
            return PeerConnection(peer: peer, channel: channel)
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

/// Carries the admission future out of the channel initializer.
private final class AdmittedBox: Sendable {
    let future = NIOLockedValueBox<EventLoopFuture<NodeID>?>(nil)
}
