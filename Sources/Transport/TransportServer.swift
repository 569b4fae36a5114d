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
                    guard accepted.beginHandshake(child, limit: configuration.maximumHandshakingConnections) else {
                        connectionLogger.warning("refused a connection: too many still handshaking")
                        throw TransportError.connectionClosed
                    }
                    let admitted = child.eventLoop.makePromise(of: NodeID.self)
                    try PeerPipeline.configure(
                        channel: child, role: .server, credentials: credentials, configuration: configuration,
                        service: service, admitted: admitted, logger: connectionLogger)
                    admitted.futureResult.whenComplete { result in
                        guard case .success(let peer) = result else {
                            accepted.endHandshake(child, peer: nil, limit: 0)
                            return
                        }
                        guard accepted.endHandshake(child, peer: peer, limit: configuration.maximumConnectionsPerPeer) else {
                            connectionLogger.warning("refused a connection: too many from one peer", metadata: ["peer": "\(peer.short)"])
                            child.close(promise: nil)
                            return
                        }
                        onConnection(PeerConnection(peer: peer, channel: child))
                    }
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

extension TransportServer {
    /// Closes the accepted connections of `peers` (members just revoked); others stay.
    public func closeConnections(from peers: Set<NodeID>) async {
        for child in accepted.channels(of: peers) { try? await child.close() }
    }
}

/// The connections a server accepted and that are still open: how many are still
/// handshaking, and how many each admitted NodeID holds.
private final class AcceptedChannels: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: Channel] = [:]
        var handshaking: Set<ObjectIdentifier> = []
        var peerOf: [ObjectIdentifier: NodeID] = [:]
        var perPeer: [NodeID: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Registers a new connection as handshaking; false (and nothing kept) at the limit.
    func beginHandshake(_ channel: Channel, limit: Int) -> Bool {
        let key = ObjectIdentifier(channel)
        let kept = state.withLockedValue { state -> Bool in
            guard state.handshaking.count < limit else { return false }
            state.channels[key] = channel
            state.handshaking.insert(key)
            return true
        }
        guard kept else { return false }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLockedValue { state in
                state.channels[key] = nil
                state.handshaking.remove(key)
                if let peer = state.peerOf.removeValue(forKey: key) {
                    state.perPeer[peer, default: 1] -= 1
                    if state.perPeer[peer] == 0 { state.perPeer[peer] = nil }
                }
            }
        }
        return true
    }

    /// The handshake ended, admitted as `peer` (nil: failed); false when `peer` already
    /// holds `limit` connections (the caller closes this one).
    @discardableResult
    func endHandshake(_ channel: Channel, peer: NodeID?, limit: Int) -> Bool {
        let key = ObjectIdentifier(channel)
        return state.withLockedValue { state in
            state.handshaking.remove(key)
            guard let peer, state.channels[key] != nil else { return false }
            guard state.perPeer[peer, default: 0] < limit else { return false }
            state.perPeer[peer, default: 0] += 1
            state.peerOf[key] = peer
            return true
        }
    }

    /// The admitted connections of `peers`.
    func channels(of peers: Set<NodeID>) -> [Channel] {
        state.withLockedValue { state in
            state.peerOf.compactMap { key, peer in peers.contains(peer) ? state.channels[key] : nil }
        }
    }

    func drain() -> [Channel] {
        state.withLockedValue { state in
            defer { state.channels = [:] }
            return Array(state.channels.values)
        }
    }
}
