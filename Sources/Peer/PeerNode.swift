import Logging
import NIOCore
import NIOPosix
import Transport

/// A running peer: listens for other peers and keeps an admitted connection to each seed.
///
/// This is the foundation the node engine grows on (membership, chunk RPCs); today it
/// shows admission and data exchange between real processes.
public actor PeerNode {
    private let home: PeerHome
    private let configuration: PeerConfiguration
    private let credentials: PeerCredentials
    private let logger: Logger
    private var server: TransportServer?
    private var connections: [String: PeerConnection] = [:]

    public init(home: PeerHome, logger: Logger) throws {
        self.home = home
        self.configuration = try home.configuration()
        self.credentials = try home.credentials()
        self.logger = logger
    }

    /// Starts listening; returns the bound port.
    public func start() async throws -> Int {
        let service = PeerService(advertise: configuration.advertise, logger: logger)
        let server = try await TransportServer.start(
            host: configuration.listen.host, port: configuration.listen.port, credentials: credentials,
            service: service, logger: logger)
        self.server = server
        logger.info("peer started", metadata: ["node": "\(credentials.nodeID)", "listen": "\(server.localAddress)"])
        return server.port
    }

    /// Contacts every seed not connected yet and exchanges a hello with it.
    public func contactSeeds() async {
        for seed in configuration.seeds where connections[seed]?.isActive != true {
            guard let address = HostPort(parsing: seed), address != configuration.advertise else { continue }
            do {
                let connector = PeerConnector(
                    credentials: credentials, service: PeerService(advertise: configuration.advertise, logger: logger), logger: logger)
                let connection = try await connector.connect(host: address.host, port: address.port)
                let answer = try await connection.call(PeerMethod.hello, ByteBuffer(string: configuration.advertise.description), timeout: .seconds(5))
                connections[seed] = connection
                logger.info("admitted by peer and exchanged hello", metadata: [
                    "peer": "\(connection.peer.short)", "address": "\(String(buffer: answer))",
                ])
            } catch {
                logger.warning("cannot reach seed", metadata: ["seed": "\(seed)", "error": "\(error)"])
            }
        }
    }

    /// This peer's view of the network.
    public func status() -> NodeStatus {
        let me = NodeStatus.PeerEntry(
            nodeID: credentials.nodeID.description, address: configuration.advertise.description, zone: configuration.zone,
            state: "alive", incarnation: 0, usedBytes: 0, capacityBytes: configuration.capacity, chunkCount: 0, isSelf: true)
        return NodeStatus(node: credentials.nodeID.description, network: configuration.network, peers: [me])
    }

    public func stop() async {
        for connection in connections.values { await connection.close() }
        connections = [:]
        await server?.close()
        logger.info("peer stopped")
    }
}
