import NIOConcurrencyHelpers
import NIOCore
import OpenSSLKit
import TestSupport
import Testing
import Transport

/// Garbage, truncated and oversize input over real sockets, before TLS, before admission
/// and after it: each time the server closes that connection and logs why, and keeps
/// serving everyone else.
@Suite struct HostileInputTests {
    /// Bytes a hostile client sends, and what the server's log must then say.
    struct HostileInput: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let loggedReason: String
        var testDescription: String { name }
    }

    /// A server with captured logs and timeouts far beyond the polling deadline, so every
    /// close seen here is caused by the input, not by a timer.
    struct Harness {
        let secret: [UInt8]
        let service = EchoService()
        let logs = LogCapture()
        let server: TransportServer

        init() async throws {
            secret = try SecureRandom.bytes(count: 32)
            var configuration = TransportConfiguration()
            configuration.handshakeTimeout = .seconds(120)
            configuration.admissionTimeout = .seconds(120)
            server = try await TransportServer.start(
                host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
                service: service, configuration: configuration, logger: logs.logger())
        }

        func member() throws -> PeerConnector {
            PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
        }

        /// Waits until `channel` is closed, then until the server logged `reason` for it.
        /// `remote` is read after the close, when the client's `channelActive` has surely run.
        func expectClosed(_ channel: Channel, remote: @autoclosure () -> String, reason: String) async {
            #expect(await eventually { !channel.isActive }, "the server did not close the connection")
            let remote = remote()
            let logged = await eventually { logs.records(remote: remote).contains { "\($0)".contains(reason) } }
            #expect(logged, "no log line for \(remote) mentions \"\(reason)\"; got \(logs.records(remote: remote))")
        }

        /// A fresh member still gets answers: the server survived.
        func expectStillServing() async throws {
            let connection = try await member().connect(host: "127.0.0.1", port: server.port)
            #expect(String(buffer: try await connection.call(1, ByteBuffer(string: "still serving"))) == "still serving")
            await connection.close()
        }
    }

    // MARK: - Before TLS

    static let beforeTLS: [HostileInput] = {
        var random = SplitMix64(seed: 0x6761_7262_6167_6531)
        return [
            HostileInput(name: "an HTTP request", bytes: Array("GET / HTTP/1.1\r\nHost: p2pstore\r\n\r\n".utf8), loggedReason: "TLS error"),
            HostileInput(name: "4 KiB of random bytes", bytes: [0xff] + random.bytes(count: 4095), loggedReason: "TLS error"),
            HostileInput(name: "a TLS record claiming 64 KiB", bytes: [0x16, 0x03, 0x01, 0xff, 0xff] + random.bytes(count: 64), loggedReason: "TLS error"),
        ]
    }()

    @Test(arguments: beforeTLS)
    func garbageBeforeTLSIsClosed(input: HostileInput) async throws {
        let harness = try await Harness()
        let probe = ClientProbe()
        let client = try await RawTCPClient.connect(port: harness.server.port, probe: probe)
        try await client.writeAndFlush(ByteBuffer(bytes: input.bytes))
        await harness.expectClosed(client, remote: probe.remote, reason: input.loggedReason)
        let remote = probe.remote
        #expect(harness.logs.records(remote: remote).contains { $0.message == "closing peer connection" })
        try await harness.expectStillServing()
        #expect(harness.service.requests.load(ordering: .relaxed) == 1)
        await harness.server.close()
    }

    // MARK: - After TLS, before admission

    static let insteadOfProof: [HostileInput] = {
        var random = SplitMix64(seed: 0x7072_6f6f_6631_2121)
        let forged = AdmissionProof.encode(secret: random.bytes(count: 32), exporter: random.bytes(count: 32), sender: NodeID(bytes: random.bytes(count: 32))!)
        return [
            HostileInput(name: "a proof made with another secret", bytes: forged, loggedReason: "wrong network secret"),
            HostileInput(name: "an HTTP request", bytes: Array("GET / HTTP/1.1\r\nHost: p2pstore\r\nAccept: */*\r\n\r\n".utf8), loggedReason: "bad magic"),
            HostileInput(name: "a proof of version 2", bytes: Array("P2PA".utf8) + [2] + random.bytes(count: 32), loggedReason: "unsupported admission version 2"),
            HostileInput(name: "1 MiB of random bytes", bytes: [0xff] + random.bytes(count: 1 << 20 - 1), loggedReason: "bad magic"),
        ]
    }()

    @Test(arguments: insteadOfProof)
    func aBadAdmissionProofIsClosedBeforeAnyRequestIsServed(input: HostileInput) async throws {
        let harness = try await Harness()
        let probe = ClientProbe()
        // A well-formed request right behind the bad proof: it must never reach the service.
        let request = try WireVectors.bytes("request").withMethod(1)
        let client = try await RawTLSClient.connect(
            credentials: try PeerCredentials.generate(networkSecret: harness.secret), port: harness.server.port,
            afterHandshake: input.bytes + request, probe: probe)
        await harness.expectClosed(client, remote: probe.remote, reason: input.loggedReason)
        let remote = probe.remote
        #expect(probe.handshakes.withLockedValue { $0 } == 1, "the client completed TLS")
        #expect(harness.logs.records(remote: remote).contains { $0.message == "admission refused, closing connection" })
        #expect(harness.service.requests.load(ordering: .relaxed) == 0)
        try await harness.expectStillServing()
        #expect(harness.service.requests.load(ordering: .relaxed) == 1)
        await harness.server.close()
    }

    // MARK: - After admission

    @Test func badFramesFromAnAdmittedPeerCloseOnlyItsConnection() async throws {
        let harness = try await Harness()
        let request = try WireVectors.bytes("request").withMethod(1)
        var unknownKind = request
        unknownKind[5] = 9
        var wrongVersion = request
        wrongVersion[4] = 2
        var claimsOneGiB = request
        claimsOneGiB.replaceSubrange(0..<4, with: [0x40, 0x00, 0x00, 0x10])  // 1 GiB + 16 header bytes
        let cases = [
            HostileInput(name: "unknown kind", bytes: unknownKind, loggedReason: "unknown frame kind 9"),
            HostileInput(name: "wrong version", bytes: wrongVersion, loggedReason: "unsupported frame version 2"),
            HostileInput(name: "1 GiB claimed", bytes: claimsOneGiB, loggedReason: "frame of 1073741840 bytes exceeds the limit of 8388608"),
            HostileInput(name: "truncated, then close", bytes: Array(request.prefix(10)), loggedReason: "connection ended inside a frame (10 bytes left)"),
        ]
        for input in cases {
            let connection = try await harness.member().connect(host: "127.0.0.1", port: harness.server.port)
            let remote = "\(try #require(connection.channel.localAddress))"
            // The connection works before the bad bytes…
            #expect(String(buffer: try await connection.call(1, ByteBuffer(string: input.name))) == input.name)
            try await inject(input.bytes, into: connection)
            if input.name.hasSuffix("close") { await connection.close() }
            // …and the server closes it with the reason in its log.
            await harness.expectClosed(connection.channel, remote: remote, reason: input.loggedReason)
        }
        // Only the four good calls above were served; none of the bad frames was.
        #expect(harness.service.requests.load(ordering: .relaxed) == cases.count)
        try await harness.expectStillServing()
        #expect(harness.service.requests.load(ordering: .relaxed) == cases.count + 1)
        await harness.server.close()
    }
}

private extension [UInt8] {
    /// A frame vector with its `code` field replaced (the echo service answers method 1).
    func withMethod(_ method: UInt16) -> [UInt8] {
        var bytes = self
        bytes[6] = UInt8(method >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: method)
        return bytes
    }
}
