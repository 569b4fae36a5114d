import APIModel
import Home
import TestSupport
import API
import APIClient
import Foundation
import Hummingbird
import Logging
import Peer
import Prometheus
import ServiceLifecycle
import Testing

/// The local HTTP API in process: a real `PeerNode` from a temporary home, the server on
/// port 0, and the `APIClient` that `p2p` uses.
@Suite struct APIServerTests {
    @Test func statusNeedsTheTokenAndReturnsTheNodesView() async throws {
        try await withAPIServer { fixture in
            let status = try await fixture.client.status()
            #expect(status.version == 1)
            #expect(status.node == fixture.nodeID)
            #expect(status.network == NetworkSettings(replicas: 2, writeQuorum: 1, removalGraceSeconds: 60))
            #expect(status.peers.count == 1)
            let me = try #require(status.peers.first)
            #expect(me.isSelf && me.nodeID == fixture.nodeID && me.zone == "z1" && me.state == "alive")
            #expect(me.capacityBytes == 1 << 30)

            let response = try await fixture.client.request(.GET, "/v1/status")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    @Test func missingTokenIs401WithBearerChallenge() async throws {
        try await withAPIServer { fixture in
            let response = try await fixture.raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.statusLine.hasPrefix("HTTP/1.1 401"))
            #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            #expect(try response.errorMessage().contains("missing bearer token"))
        }
    }

    @Test func wrongTokenIs401AndNeverShowsStatus() async throws {
        try await withAPIServer { fixture in
            var wrong = fixture.client
            wrong = APIClient(address: wrong.address, token: String(repeating: "0", count: 64))
            await #expect(throws: APIClientError.self) { try await wrong.status() }
            do {
                _ = try await wrong.request(.GET, "/v1/status")
                Issue.record("a wrong token was accepted")
            } catch APIClientError.refusedToken {
            }
            // Not a prefix, not another scheme, not the token with something appended.
            for header in [
                "Bearer \(fixture.token.dropLast())", "Basic \(fixture.token)", "Bearer \(fixture.token)x", "Bearer",
            ] {
                let response = try await fixture.raw(
                    "GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: \(header)\r\nConnection: close\r\n\r\n")
                #expect(response.statusLine.hasPrefix("HTTP/1.1 401"), "\(header)")
                #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(!response.body.contains(fixture.nodeID))
            }
        }
    }

    @Test func unknownPathsAreJSONErrors() async throws {
        try await withAPIServer { fixture in
            // Without a token even unknown paths are 401: strangers learn nothing about routes.
            let anonymous = try await fixture.raw("GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(anonymous.statusLine.hasPrefix("HTTP/1.1 401"))
            do {
                _ = try await fixture.client.request(.GET, "/v1/nothing")
                Issue.record("an unknown path answered 2xx")
            } catch APIClientError.failed(let status, let message) {
                #expect(status == 404)
                #expect(message == "no such endpoint: GET /v1/nothing")
            }
            do {
                _ = try await fixture.client.request(.POST, "/v1/status", body: Array("{}".utf8))
                Issue.record("POST /v1/status answered 2xx")
            } catch APIClientError.failed(let status, let message) {
                #expect(status == 404)
                #expect(message == "no such endpoint: POST /v1/status")
            }
        }
    }
}

/// A running API server over a fresh home, torn down after the body.
struct APIFixture: Sendable {
    let client: APIClient
    let token: String
    let nodeID: String

    struct RawResponse {
        var statusLine: String
        var headers: [String: String]
        var body: String

        func errorMessage() throws -> String {
            try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["error"] ?? ""
        }
    }

    /// Sends a hand-written request, for what `APIClient` never sends (no token, odd schemes).
    func raw(_ request: String) async throws -> RawResponse {
        let bytes = try await RawHTTP.exchange(host: client.address.host, port: client.address.port, request: Array(request.utf8))
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return RawResponse(statusLine: lines[0], headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

/// With `metrics`, the node records into that registry, is started (so it can store files
/// alone: N=2, W=1) and the server serves files and `/metrics` too.
func withAPIServer(
    metrics: PrometheusCollectorRegistry? = nil, repair: RepairConfiguration = RepairConfiguration(), _ body: @Sendable (APIFixture) async throws -> Void) async throws {
    let root = NSTemporaryDirectory() + "p2p-api-test-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: root) }
    let configuration = PeerConfiguration(
        listen: HostPort(host: "127.0.0.1", port: 0), advertise: HostPort(host: "127.0.0.1", port: 1), api: HostPort(host: "127.0.0.1", port: 0),
        zone: "z1", capacity: 1 << 30, seeds: [], network: NetworkSettings(replicas: 2, writeQuorum: 1, removalGraceSeconds: 60))
    let home = try PeerHome.create(at: root + "/home", configuration: configuration, networkSecret: Array(repeating: 7, count: 32))
    var logger = Logger(label: "api-test")
    logger.logLevel = .warning
    let token = try home.apiToken()
    let node: PeerNode
    let server: APIServer
    if let metrics {
        let factory = DescribedMetricsFactory(registry: metrics, descriptions: NodeMetrics.descriptions)
        node = try PeerNode(home: home, repairConfiguration: repair, metrics: factory, logger: logger)
        _ = try await node.start()
        server = APIServer(
            configuration: .init(address: configuration.api, token: token), status: node, files: node, metrics: (metrics, node), logger: logger)
    } else {
        node = try PeerNode(home: home, repairConfiguration: repair, logger: logger)
        server = APIServer(configuration: .init(address: configuration.api, token: token), status: node, logger: logger)
    }

    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let services = ServiceGroup(
        services: [server.application { port in portContinuation.yield(port) }], gracefulShutdownSignals: [], logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let fixture = APIFixture(
            client: APIClient(address: HostPort(host: "127.0.0.1", port: port), token: token), token: token,
            nodeID: try home.nodeID().description)
        var failure: (any Error)?
        do { try await body(fixture) } catch { failure = error }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        await node.stop(announceLeave: false)
        if let failure { throw failure }
    }
}
