import NIOCore
import OpenSSLKit
import Testing
import Transport

/// Error frames carry a UTF-8 message of at most 1024 bytes (docs/protocol.md).
@Suite struct ErrorFrameTests {
    /// Fails every request with `message`.
    struct FailingService: RPCService {
        let message: String
        func handle(_ request: RPCRequest) async throws -> ByteBuffer {
            throw RPCError(status: 418, message: message)
        }
    }

    @Test(arguments: [
        // 1 + 1000 × 2 bytes: a cut at byte 1024 would land inside an "é".
        ("a" + String(repeating: "é", count: 1000), "a" + String(repeating: "é", count: 511)),
        // 1000 characters of 4 bytes each: 1000 characters are 4000 bytes.
        (String(repeating: "🦀", count: 1000), String(repeating: "🦀", count: 256)),
        ("short", "short"),
    ])
    func longMessagesAreCutToWholeCharactersWithin1024Bytes(sent: String, received: String) async throws {
        let secret = try SecureRandom.bytes(count: 32)
        let server = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
            service: FailingService(message: sent), logger: testLogger)
        let connection = try await PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
            .connect(host: "127.0.0.1", port: server.port)
        do {
            _ = try await connection.call(7, ByteBuffer())
            Issue.record("the call succeeded")
        } catch TransportError.remote(let status, let message) {
            #expect(status == 418)
            #expect(message.utf8.count <= 1024)
            #expect(message == received)
        }
        await connection.close()
        await server.close()
    }
}
