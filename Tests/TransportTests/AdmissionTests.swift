import NIOCore
import OpenSSLKit
import Testing
import Transport

@Suite struct AdmissionTests {
    @Test func peersWithTheSameSecretExchangeRPCs() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        let serverService = EchoService()
        let serverCredentials = try PeerCredentials.generate(networkSecret: secret)
        let server = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: serverCredentials, service: serverService, logger: testLogger)
        let clientCredentials = try PeerCredentials.generate(networkSecret: secret)
        let connection = try await PeerConnector(credentials: clientCredentials, logger: testLogger)
            .connect(host: "127.0.0.1", port: server.port)
        #expect(connection.peer == serverCredentials.nodeID)

        // Many calls in flight on one connection, each answered with its own payload.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let answer = try await connection.call(1, ByteBuffer(string: "request \(index)"))
                    #expect(String(buffer: answer) == "request \(index)")
                }
            }
            try await group.waitForAll()
        }
        await #expect(throws: TransportError.self) { _ = try await connection.call(2, ByteBuffer()) }
        do {
            _ = try await connection.call(2, ByteBuffer())
        } catch TransportError.remote(let status, let message) {
            #expect(status == 404 && message == "nothing here")
        }
        #expect(serverService.requests.load(ordering: .relaxed) == 202)
        await connection.close()
        await server.close()
    }

    @Test func aPeerWithAnotherSecretIsRefusedAndTheListenerKeepsServing() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        let service = EchoService()
        let server = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
            service: service, logger: testLogger)

        let intruder = try PeerCredentials.generate(networkSecret: try SecureRandom.bytes(count: 32))
        for _ in 0..<3 {
            await #expect(throws: (any Error).self) {
                let connection = try await PeerConnector(credentials: intruder, logger: testLogger)
                    .connect(host: "127.0.0.1", port: server.port)
                _ = try await connection.call(1, ByteBuffer(string: "let me in"))
            }
        }
        #expect(service.requests.load(ordering: .relaxed) == 0)

        let member = try await PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
            .connect(host: "127.0.0.1", port: server.port)
        #expect(String(buffer: try await member.call(1, ByteBuffer(string: "hi"))) == "hi")
        #expect(service.requests.load(ordering: .relaxed) == 1)
        await member.close()
        await server.close()
    }

    @Test func deadlinesFailTheCallAndCancelAtThePeer() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        let server = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
            service: EchoService(), logger: testLogger)
        let connection = try await PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
            .connect(host: "127.0.0.1", port: server.port)
        await #expect(throws: TransportError.self) { _ = try await connection.call(3, ByteBuffer(), timeout: .milliseconds(100)) }
        // The connection is still usable afterwards.
        #expect(String(buffer: try await connection.call(1, ByteBuffer(string: "still here"))) == "still here")
        await connection.close()
        await server.close()
    }

    @Test func proofIsBoundToSessionSecretAndSender() throws {
        let secret = try SecureRandom.bytes(count: 32)
        let exporter = try SecureRandom.bytes(count: 32)
        let sender = try PeerCredentials.generate(networkSecret: secret).nodeID
        let other = try PeerCredentials.generate(networkSecret: secret).nodeID
        let proof = AdmissionProof.encode(secret: secret, exporter: exporter, sender: sender)
        #expect(AdmissionProof.refusal(of: proof, secret: secret, exporter: exporter, sender: sender) == nil)
        #expect(AdmissionProof.refusal(of: proof, secret: secret, exporter: exporter, sender: other) != nil)
        #expect(AdmissionProof.refusal(of: proof, secret: secret, exporter: try SecureRandom.bytes(count: 32), sender: sender) != nil)
        #expect(AdmissionProof.refusal(of: proof, secret: try SecureRandom.bytes(count: 32), exporter: exporter, sender: sender) != nil)
        #expect(AdmissionProof.refusal(of: Array(proof.dropLast()), secret: secret, exporter: exporter, sender: sender) != nil)
    }
}
