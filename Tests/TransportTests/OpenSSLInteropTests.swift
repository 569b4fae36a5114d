import Foundation
import NIOCore
import NIOPosix
import OpenSSLKit
import TestSupport
import Testing
import Transport

/// Our TLS handler against an independent TLS 1.3 implementation: the `openssl` programs.
@Suite(.serialized) struct OpenSSLInteropTests {
    static let transferSize = 64 * 1024 * 1024

    @Test func opensslClientReceives64MiBFromOurListener() async throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try PeerCredentials.generate(networkSecret: [])
        let pem = try writePEMFiles(credentials, directory: directory)
        let server = try await BareTLSServer.start(credentials: credentials, sending: Self.transferSize)
        defer { Task { await server.close() } }

        let output = directory + "/received"
        let status = try runOpenSSL(
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-cert", pem.certificate, "-key", pem.key, "-quiet"],
            stdout: output)
        #expect(status == 0)
        let received = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(received.count == Self.transferSize)
        #expect(SHA256.hash([UInt8](received)) == SHA256.hash(BareTLSServer.payload(size: Self.transferSize)))
        #expect(server.handshakes.withLockedValue { $0 } == 1)
    }

    @Test func opensslClientWithTLS12IsRefused() async throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try PeerCredentials.generate(networkSecret: [])
        let pem = try writePEMFiles(credentials, directory: directory)
        let server = try await BareTLSServer.start(credentials: credentials, sending: 16)
        defer { Task { await server.close() } }
        let status = try runOpenSSL(
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-cert", pem.certificate, "-key", pem.key, "-tls1_2", "-quiet"],
            stdout: directory + "/received")
        #expect(status != 0)
        #expect(server.handshakes.withLockedValue { $0 } == 0)
    }

    @Test func ourClientCompletesAHandshakeWithOpensslServer() async throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serverCredentials = try PeerCredentials.generate(networkSecret: [])
        let pem = try writePEMFiles(serverCredentials, directory: directory)
        // s_server block-buffers its "ACCEPT" line when stdout is a pipe, so pick a free
        // port ourselves and retry the connection until s_server listens on it.
        let port = try Scratch.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", pem.certificate, "-key", pem.key,
                             "-tls1_3", "-verify", "1", "-naccept", "1", "-quiet"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }

        let clientCredentials = try PeerCredentials.generate(networkSecret: [])
        var completed: TLSHandshakeCompleted?
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while completed == nil, clock.now < deadline {
            do {
                completed = try await BareTLSClient.handshake(credentials: clientCredentials, port: port)
            } catch {
                try await Task.sleep(for: .milliseconds(20))  // s_server not listening yet: poll
            }
        }
        let result = try #require(completed)
        #expect(result.peer == serverCredentials.nodeID)
        #expect(result.cipher.hasPrefix("TLS_"))
    }

    private func runOpenSSL(_ arguments: [String], stdout path: String) throws -> Int32 {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

}
