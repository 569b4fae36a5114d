import NIOCore
import NIOPosix
import OpenSSLKit
import TestSupport
import Testing
import Transport

/// Connections a peer (or anyone who can reach the port) can make a server hold: those
/// still handshaking, and those of one NodeID, are capped.
@Suite(.serialized) struct ConnectionLimitTests {
    /// A TCP connection that sends nothing, as a client stuck before its TLS hello.
    static func silentConnection(port: Int) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { _ in MultiThreadedEventLoopGroup.singleton.next().makeSucceededVoidFuture() }
            .connect(host: "127.0.0.1", port: port).get()
    }

    static func server(secret: [UInt8], configuration: TransportConfiguration) async throws -> TransportServer {
        try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
            service: EchoService(), configuration: configuration, logger: testLogger)
    }

    @Test func connectionsStillHandshakingAreCapped() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        var configuration = TransportConfiguration()
        configuration.maximumHandshakingConnections = 4
        let server = try await Self.server(secret: secret, configuration: configuration)
        var silent: [Channel] = []
        for _ in 0..<4 { silent.append(try await Self.silentConnection(port: server.port)) }
        let fifth = try await Self.silentConnection(port: server.port)
        #expect(await eventually(timeout: .seconds(5)) { !fifth.isActive }, "the fifth is closed at once")
        let stillOpen = silent.filter { $0.isActive }.count
        #expect(stillOpen == 4)
        for channel in silent { try? await channel.close() }
        // Once those are gone, a real peer gets in.
        let connector = PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
        var admitted: PeerConnection?
        _ = await eventually(timeout: .seconds(10)) {
            admitted = try? await connector.connect(host: "127.0.0.1", port: server.port)
            return admitted != nil
        }
        let connection = try #require(admitted)
        let echoed = try await connection.call(1, ByteBuffer(string: "hi"))
        #expect(echoed.readableBytes == 2)
        await connection.close()
        await server.close()
    }

    @Test func connectionsOfOneNodeIDAreCapped() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        var configuration = TransportConfiguration()
        configuration.maximumConnectionsPerPeer = 2
        let server = try await Self.server(secret: secret, configuration: configuration)
        let same = PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
        let first = try await same.connect(host: "127.0.0.1", port: server.port)
        let second = try await same.connect(host: "127.0.0.1", port: server.port)
        let third = try await same.connect(host: "127.0.0.1", port: server.port)
        #expect(await eventually(timeout: .seconds(5)) { !third.isActive }, "the third of one NodeID is closed")
        for connection in [first, second] {
            let echoed = try await connection.call(1, ByteBuffer(string: "ok"))
            #expect(echoed.readableBytes == 2)
        }
        // Another NodeID is not affected.
        let other = try await PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
            .connect(host: "127.0.0.1", port: server.port)
        let echoed = try await other.call(1, ByteBuffer(string: "ok"))
        #expect(echoed.readableBytes == 2)
        for connection in [first, second, other] { await connection.close() }
        await server.close()
    }
}
