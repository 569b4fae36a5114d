import API
import APIModel
import Content
import Foundation
import Home
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The status and file routes against fake sources, through Hummingbird's router test
/// framework: no node, no socket, no disk. Behind the same middleware as the daemon's API.
@Suite struct RouteTests {
    static let token = "route-test-token"
    static let authorized: HTTPFields = [.authorization: "Bearer \(token)"]

    func withRouter<Value: Sendable>(
        files: MemoryFiles? = nil, _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let server = APIServer(
            configuration: .init(address: HostPort(host: "127.0.0.1", port: 0), token: Self.token),
            status: FixedStatus(), files: try files ?? MemoryFiles(), logger: Logger(label: "route-tests"))
        return try await server.application().test(.router, test)
    }

    @Test func statusIsTheSourcesDocumentAsSortedJSON() async throws {
        try await withRouter { client in
            try await client.execute(uri: "/v1/status", method: .get, headers: Self.authorized) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body.hasPrefix(#"{"durability":{"#) && body.hasSuffix("}\n"), "sorted keys and a final newline")
                let decoded = try JSONDecoder().decode(NodeStatus.self, from: Data(body.utf8))
                #expect(decoded == FixedStatus().document)

                let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                #expect(Set(object.keys) == ["version", "node", "network", "peers", "durability"])
                #expect(object["version"] as? Int == 1)
                let network = try #require(object["network"] as? [String: Any])
                #expect(Set(network.keys) == ["replicas", "writeQuorum", "removalGraceSeconds"])
                let peers = try #require(object["peers"] as? [[String: Any]])
                #expect(peers.count == 2)
                #expect(Set(peers[0].keys) == [
                    "nodeID", "address", "zone", "state", "incarnation", "usedBytes", "capacityBytes", "chunkCount", "isSelf",
                ])
                #expect(peers[1]["address"] as? String == "[::1]:7401")
            }
        }
    }

    @Test func aMissingOrWrongTokenIsRefusedBeforeAnyRoute() async throws {
        try await withRouter { client in
            for headers: HTTPFields in [
                [:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(Self.token)"],
                [.authorization: "Bearer \(Self.token.dropLast())"],
            ] {
                for uri in ["/v1/status", "/v1/files/p2p1:whatever", "/v1/no-such-route"] {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(uri) with \(headers)")
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                        let error = try JSONDecoder().decode([String: String].self, from: Data(response.body.readableBytesView))
                        #expect(error["error"]?.contains("bearer token") == true)
                    }
                }
            }
        }
    }

    @Test func aFileIsStoredAndReadBackWholeOrByRange() async throws {
        let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try await withRouter { client in
            let stored = try await client.execute(
                uri: "/v1/files", method: .post, headers: Self.authorized, body: ByteBuffer(bytes: content)
            ) { response in
                #expect(response.status == .created)
                return try JSONDecoder().decode(StoredFile.self, from: Data(response.body.readableBytesView))
            }
            #expect(stored.size == UInt64(content.count))
            #expect(stored.cap.hasPrefix("p2p1:"))

            try await client.execute(uri: "/v1/files/\(stored.cap)", method: .get, headers: Self.authorized) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(response.headers[.contentLength] == "\(content.count)")
                #expect(Array(buffer: response.body) == content)
            }

            var ranged = Self.authorized
            ranged[.range] = "bytes=1000-1999"
            try await client.execute(uri: "/v1/files/\(stored.cap)", method: .get, headers: ranged) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 1000-1999/\(content.count)")
                #expect(Array(buffer: response.body) == Array(content[1000..<2000]))
            }

            ranged[.range] = "bytes=-10"
            try await client.execute(uri: "/v1/files/\(stored.cap)", method: .get, headers: ranged) { response in
                #expect(response.status == .partialContent)
                #expect(Array(buffer: response.body) == Array(content.suffix(10)))
            }

            ranged[.range] = "bytes=\(content.count)-"
            try await client.execute(uri: "/v1/files/\(stored.cap)", method: .get, headers: ranged) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(content.count)")
            }
        }
    }

    @Test func anUnknownCapabilityIs404AndAMalformedOne400() async throws {
        // A well-formed capability of content these files never stored.
        let elsewhere = try MemoryFiles()
        let unknown = try await elsewhere.store(AsyncArray([[1, 2, 3]]), source: "put").capability.description
        try await withRouter { client in
            for uri in ["/v1/files/\(unknown)", "/v1/files/\(unknown)/chunks"] {
                try await client.execute(uri: uri, method: .get, headers: Self.authorized) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    let error = try JSONDecoder().decode([String: String].self, from: Data(response.body.readableBytesView))
                    #expect(error["error"] == "not found: no peer holds this file's manifest")
                }
            }
            try await client.execute(uri: "/v1/files/p2p1:not-a-capability", method: .get, headers: Self.authorized) { response in
                #expect(response.status == .badRequest)
                let error = try JSONDecoder().decode([String: String].self, from: Data(response.body.readableBytesView))
                #expect(error["error"]?.hasPrefix("malformed capability") == true)
            }
        }
    }

    @Test func aStoreFromAnUnknownSourceIs400AndStoresNothing() async throws {
        try await withRouter { client in
            for source in ["folder:0123456789abcdef", "s3", "put%20-r", ""] {
                try await client.execute(
                    uri: "/v1/files?source=\(source)", method: .post, headers: Self.authorized, body: ByteBuffer(bytes: [1, 2, 3])
                ) { response in
                    #expect(response.status == .badRequest, "\(source)")
                }
            }
            try await client.execute(uri: "/v1/files", method: .get, headers: Self.authorized) { response in
                let owned = try JSONDecoder().decode(OwnedFiles.self, from: Data(response.body.readableBytesView))
                #expect(owned.files.isEmpty)
            }
            try await client.execute(uri: "/v1/files?source=tree", method: .post, headers: Self.authorized, body: ByteBuffer(bytes: [1, 2, 3])) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/files", method: .get, headers: Self.authorized) { response in
                let owned = try JSONDecoder().decode(OwnedFiles.self, from: Data(response.body.readableBytesView))
                #expect(owned.files.map(\.source) == ["put -r file"])
            }
        }
    }

    @Test func locateNamesTheHoldersOfEveryChunk() async throws {
        let files = try MemoryFiles(holders: ["PEERA", "PEERC"])
        // Past FastCDC's largest chunk (4 × 256 KiB), so the file has at least two.
        var state: UInt32 = 1
        let content = (0..<1_500_000).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let encoded = try await files.store(AsyncArray([content]), source: "put")
        let ids = try await FileDecoder(source: files.chunks).chunkIDs(of: encoded.capability)
        try await withRouter(files: files) { client in
            try await client.execute(
                uri: "/v1/files/\(encoded.capability)/chunks", method: .get, headers: Self.authorized
            ) { response in
                #expect(response.status == .ok)
                let located = try JSONDecoder().decode(ChunkLocations.self, from: Data(response.body.readableBytesView))
                #expect(located.chunks.map(\.id) == ids.map(\.description))
                #expect(located.chunks.count > 1)
                #expect(located.chunks.allSatisfy { $0.holders == ["PEERA", "PEERC"] })
            }
        }
    }
}

/// Byte arrays as the asynchronous sequence `FileSource.store` reads.
struct AsyncArray: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let buffers: [[UInt8]]

    init(_ buffers: [[UInt8]]) { self.buffers = buffers }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>
        mutating func next() async -> [UInt8]? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}
