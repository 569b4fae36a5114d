import Foundation
import Home
import Peer
import TestSupport
import Testing

/// The local API of a running `p2pd` against every shape of `Range` header RFC 9110
/// allows or forbids, and oversize requests: each gets 206, 416 or 200 as the RFC says,
/// and the daemon stays up and answers the next one.
@Suite(.serialized) struct RangeProcessTests {
    /// A header, and what must come back: the status, the `Content-Range`, the body.
    struct Case: CustomStringConvertible {
        var range: String
        var status: Int
        var contentRange: String?
        var body: String?
        var description: String { range }
    }

    static let content = "hello world!"  // 12 bytes
    static let cases: [Case] = [
        Case(range: "bytes=0-4", status: 206, contentRange: "bytes 0-4/12", body: "hello"),
        Case(range: "bytes=6-", status: 206, contentRange: "bytes 6-11/12", body: "world!"),
        Case(range: "bytes=-6", status: 206, contentRange: "bytes 6-11/12", body: "world!"),
        Case(range: "bytes=11-", status: 206, contentRange: "bytes 11-11/12", body: "!"),
        Case(range: "bytes=1000-", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=12-", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=12-20", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=-0", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=99999999999999999999999-", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=18446744073709551615-18446744073709551615", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes=0-99999999999999999999999", status: 206, contentRange: "bytes 0-11/12", body: content),
        Case(range: "bytes=0-18446744073709551615", status: 206, contentRange: "bytes 0-11/12", body: content),
        Case(range: "bytes=-99999999999999999999999", status: 206, contentRange: "bytes 0-11/12", body: content),
        Case(range: "bytes=5-3", status: 200, body: content),
        Case(range: "bytes=0-1,3-4", status: 200, body: content),
        Case(range: "bytes=0-3,2-5", status: 206, contentRange: "bytes 0-5/12", body: "hello "),
        Case(range: "bytes=0-0,1000-", status: 206, contentRange: "bytes 0-0/12", body: "h"),
        Case(range: "bytes=1000-,2000-", status: 416, contentRange: "bytes */12"),
        Case(range: "bytes= 2-3", status: 206, contentRange: "bytes 2-3/12", body: "ll"),
        Case(range: "BYTES=0-0", status: 206, contentRange: "bytes 0-0/12", body: "h"),
        Case(range: "items=0-5", status: 200, body: content),
        Case(range: "bytes=abc", status: 200, body: content),
        Case(range: "bytes=", status: 200, body: content),
        Case(range: "bytes=--5", status: 200, body: content),
        Case(range: "bytes=-", status: 200, body: content),
        Case(range: "bytes=" + String(repeating: "0-1,", count: 400) + "0-1", status: 200, body: content),
    ]

    /// One raw exchange: status, headers (lower-cased names), body.
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]

        init(_ raw: [UInt8]) {
            let separator = Array("\r\n\r\n".utf8)
            let end = (0...(max(0, raw.count - 4))).first { Array(raw[$0..<min($0 + 4, raw.count)]) == separator } ?? raw.count
            let head = String(decoding: raw[..<end], as: UTF8.self).split(separator: "\r\n")
            status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            headers = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            body = Array(raw[min(end + 4, raw.count)...])
        }
    }

    @Test func everyRangeShapeGetsItsRFC9110AnswerAndTheDaemonStaysUp() async throws {
        let cluster = try ProcessCluster(peers: 1, replicas: 1, writeQuorum: 1)
        defer { cluster.shutdown() }
        let file = cluster.root + "/twelve.txt"
        try Self.content.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(await Daemon.eventually { (try? cluster.p2p(0, ["put", file]).status) == 0 })
        let cap = try cluster.p2p(0, ["put", file]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let home = PeerHome(path: cluster.homes[0])
        let api = try home.configuration().api, token = try home.apiToken()

        func get(_ path: String, headers: [String] = []) async throws -> Reply {
            let lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer \(token)", "Connection: close"] + headers
            let raw = try await RawHTTP.exchange(host: "127.0.0.1", port: api.port, request: Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
            return Reply(raw)
        }

        for test in Self.cases {
            let reply = try await get("/v1/files/\(cap)", headers: ["Range: \(test.range)"])
            #expect(reply.status == test.status, "\(test): status \(reply.status)")
            #expect(reply.headers["content-range"] == test.contentRange, "\(test): Content-Range \(reply.headers["content-range"] ?? "none")")
            if let body = test.body { #expect(String(decoding: reply.body, as: UTF8.self) == body, "\(test): body") }
            if test.status == 416 { #expect(String(decoding: reply.body, as: UTF8.self).contains("\"error\"")) }
        }
        // Oversize inputs: a header of 100 KiB, a capability of 64 KiB in the path.
        let huge = try await get("/v1/files/\(cap)", headers: ["X-Padding: " + String(repeating: "a", count: 100 * 1024)])
        #expect(huge.status == 0 || (400..<500).contains(huge.status), "huge header: \(huge.status)")
        let longPath = try await get("/v1/files/p2p1:" + String(repeating: "A", count: 64 * 1024))
        #expect(longPath.status == 0 || (400..<500).contains(longPath.status), "long path: \(longPath.status)")

        // Still up, and still right.
        let after = try await get("/v1/files/\(cap)", headers: ["Range: bytes=6-"])
        #expect(after.status == 206 && String(decoding: after.body, as: UTF8.self) == "world!")
        #expect(try cluster.p2p(0, ["status"]).status == 0)
    }
}
