import APIModel
import Foundation
import Home
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client for a peer's local API: one request per connection, bearer
/// token attached, JSON decoded. Enough for `p2p` and the tests; not a general client.
public struct APIClient: Sendable {
    /// Where the API listens; a wildcard host (`0.0.0.0`, `::`) is reached on loopback.
    public let address: HostPort
    public let token: String
    /// Bounds the whole exchange: connect, send, receive.
    public var timeout: Duration = .seconds(10)
    /// Refuses larger response bodies before buffering them.
    public var maximumBodySize = 64 << 20

    public init(address: HostPort, token: String) {
        switch address.host {
        case "0.0.0.0": self.address = HostPort(host: "127.0.0.1", port: address.port)
        case "::": self.address = HostPort(host: "::1", port: address.port)
        default: self.address = address
        }
        self.token = token
    }

    /// The client for the peer whose home this is: its `api` address and `api.token`.
    public init(home: PeerHome) throws {
        self.init(address: try home.configuration().api, token: try home.apiToken())
    }

    /// `GET /v1/status`.
    public func status() async throws -> NodeStatus {
        try decodeDocument(NodeStatus.self, from: try await request(.GET, "/v1/status"))
    }

    /// Sends one request and returns the response; non-2xx answers become `APIClientError`s.
    public func request(_ method: HTTPMethod, _ path: String, body: [UInt8] = []) async throws -> APIClientResponse {
        let response = try await withTimeout { try await exchange(method, path, body: body) }
        switch response.status {
        case 200..<300: return response
        case 401: throw APIClientError.refusedToken(address: address)
        default: throw APIClientError.failed(status: response.status, message: response.errorMessage)
        }
    }

    func decodeDocument<T: Decodable>(_ type: T.Type, from response: APIClientResponse) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw APIClientError.badResponse(address: address, reason: "cannot decode \(T.self): \(error)")
        }
    }

    private func withTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout, address = address
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)  // a deadline, not synchronization
                throw APIClientError.timedOut(address: address, after: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func exchange(_ method: HTTPMethod, _ path: String, body: [UInt8]) async throws -> APIClientResponse {
        let channel = try await openChannel()
        let address = address, token = token, maximumBodySize = maximumBodySize
        do {
            return try await exchange(on: channel, method, path, body: body, address: address, token: token, maximumBodySize: maximumBodySize)
        } catch let error as APIClientError {
            throw error
        } catch {
            throw APIClientError.badResponse(address: address, reason: "\(error)")
        }
    }

    /// One HTTP/1.1 connection to the API, as an async channel.
    func openChannel() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                // Large bodies (downloads, a mount's windows) arrive in reads of up to 1 MiB.
                .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 << 10, maximum: 1 << 20))
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw APIClientError.unreachable(address: address, reason: "\(error)")
        }
    }

    private func exchange(
        on channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, _ method: HTTPMethod, _ path: String,
        body: [UInt8], address: HostPort, token: String, maximumBodySize: Int
    ) async throws -> APIClientResponse {
        try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: address.description)
            head.headers.add(name: "Authorization", value: "Bearer \(token)")
            head.headers.add(name: "Connection", value: "close")
            head.headers.add(name: "Content-Length", value: "\(body.count)")
            var parts: [HTTPClientRequestPart] = [.head(head)]
            if !body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            parts.append(.end(nil))
            // A server may answer and close before it has read everything (a 401 on the
            // head); its answer is still worth reading, so a failed write is kept for later.
            var writeError: (any Error)?
            do { try await outbound.write(contentsOf: parts) } catch { writeError = error }

            var response: APIClientResponse?
            for try await part in inbound {
                switch part {
                case .head(let responseHead):
                    response = APIClientResponse(
                        status: Int(responseHead.status.code),
                        headers: responseHead.headers.map { ($0.name, $0.value) }, body: [])
                case .body(let buffer):
                    guard response != nil else { break }
                    guard response!.body.count + buffer.readableBytes <= maximumBodySize else {
                        throw APIClientError.badResponse(address: address, reason: "body larger than \(maximumBodySize) bytes")
                    }
                    response!.body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    if let response { return response }
                }
            }
            let reason = writeError.map { "sending the request failed: \($0)" } ?? "connection closed before a complete response"
            throw APIClientError.badResponse(address: address, reason: reason)
        }
    }
}

/// One HTTP response: status, headers, the whole body.
public struct APIClientResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The `error` member of a JSON error body, else the body as text.
    var errorMessage: String {
        if let object = try? JSONDecoder().decode([String: String].self, from: Data(body)), let message = object["error"] {
            return message
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(status)" : text
    }
}
