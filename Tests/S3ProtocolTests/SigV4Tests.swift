import Codecs
import Foundation
import Testing

@testable import S3Protocol

/// The worked examples of the S3 SigV4 documentation (sig-v4-header-based-auth.html,
/// sigv4-query-string-auth.html), then what hostile or broken clients send.
struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let credential = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let exampleDate = HTTPDate.parseAmzDate("20130524T000000Z")!
    static let soon = exampleDate.addingTimeInterval(60)

    static func authorization(_ signedHeaders: String, _ signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=\(credential),SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    static let getObject = SignedRequestHead(
        method: "GET", rawPath: "/test.txt", rawQuery: "",
        headers: [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Authorization", authorization("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", emptyHash),
            ("x-amz-date", "20130524T000000Z"),
        ])

    /// Parses, verifies, and checks the signature recomputed from scratch too.
    static func accept(_ head: SignedRequestHead, now: Date = soon) throws -> SigV4Authorization {
        let authorization = try #require(try SigV4.parse(head))
        let key = try SigV4.verify(head, authorization, secret: secret, now: now)
        #expect(key == SigV4.signingKey(secret: secret, scope: authorization.scope))
        #expect(SigV4.signature(of: head, authorization, signingKey: key) == authorization.signature)
        return authorization
    }

    static func code(_ body: () throws(S3Error) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test func getObjectWithRange() throws {
        let authorization = try Self.accept(Self.getObject)
        #expect(authorization.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
        #expect(authorization.region == "us-east-1")
        #expect(authorization.scope == "20130524/us-east-1/s3/aws4_request")
        #expect(authorization.payload == .sha256(hex: Self.emptyHash))
        #expect(authorization.presignedExpires == nil)
    }

    @Test func putObjectWithDollarInKeyAndDateHeader() throws {
        let head = SignedRequestHead(
            method: "PUT", rawPath: "/test%24file.text", rawQuery: "",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("Authorization", Self.authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
            ])
        let authorization = try Self.accept(head)
        #expect(authorization.payload == .sha256(hex: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"))
    }

    @Test func getBucketLifecycleAndListObjects() throws {
        func head(_ query: String, _ signature: String) -> SignedRequestHead {
            SignedRequestHead(
                method: "GET", rawPath: "/", rawQuery: query,
                headers: [
                    ("Host", "examplebucket.s3.amazonaws.com"),
                    ("Authorization", Self.authorization("host;x-amz-content-sha256;x-amz-date", signature)),
                    ("x-amz-date", "20130524T000000Z"),
                    ("x-amz-content-sha256", Self.emptyHash),
                ])
        }
        _ = try Self.accept(head("lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
        _ = try Self.accept(head("max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
        // Parameter order on the wire does not matter: the canonical query is sorted.
        _ = try Self.accept(head("prefix=J&max-keys=2", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    static let presigned = SignedRequestHead(
        method: "GET", rawPath: "/test.txt",
        rawQuery:
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        headers: [("Host", "examplebucket.s3.amazonaws.com")])

    @Test func presignedURLIsValidUntilItExpires() throws {
        let authorization = try Self.accept(Self.presigned)
        #expect(authorization.presignedExpires == 86400)
        #expect(authorization.payload == .unsigned)
        _ = try Self.accept(Self.presigned, now: Self.exampleDate.addingTimeInterval(86_400))
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(Self.presigned, authorization, secret: Self.secret, now: Self.exampleDate.addingTimeInterval(86_401)) } == "AccessDenied")
        do {
            _ = try SigV4.verify(Self.presigned, authorization, secret: Self.secret, now: Self.exampleDate.addingTimeInterval(90_000))
            Issue.record("an expired URL was accepted")
        } catch {
            #expect(error == .expiredRequest)
        }
    }

    @Test func presignedExpiryOverAWeekIsRefused() {
        var head = Self.presigned
        head.rawQuery = head.rawQuery.replacingOccurrences(of: "X-Amz-Expires=86400", with: "X-Amz-Expires=604801")
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.parse(head) } == "AuthorizationQueryParametersError")
    }

    @Test func headerAuthorizationRefusesASkewedClock() throws {
        let authorization = try #require(try SigV4.parse(Self.getObject))
        for offset: TimeInterval in [-16 * 60, 16 * 60, 86_400 * 365] {
            do {
                _ = try SigV4.verify(Self.getObject, authorization, secret: Self.secret, now: Self.exampleDate.addingTimeInterval(offset))
                Issue.record("a request \(offset) s away was accepted")
            } catch {
                #expect(error.code == "RequestTimeTooSkewed")
            }
        }
        _ = try Self.accept(Self.getObject, now: Self.exampleDate.addingTimeInterval(-14 * 60))
    }

    @Test func anonymousRequestsCarryNoAuthorization() throws {
        let head = SignedRequestHead(method: "GET", rawPath: "/b/k", rawQuery: "list-type=2", headers: [("Host", "localhost")])
        #expect(try SigV4.parse(head) == nil)
    }

    @Test func tamperingBreaksTheSignature() throws {
        let authorization = try #require(try SigV4.parse(Self.getObject))
        var tampered = Self.getObject
        tampered.headers[2] = ("Range", "bytes=0-99")
        var other = Self.getObject
        other.rawPath = "/test.txT"
        var wrongSignature = authorization
        wrongSignature.signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42"
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(tampered, authorization, secret: Self.secret, now: Self.soon) } == "SignatureDoesNotMatch")
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(other, authorization, secret: Self.secret, now: Self.soon) } == "SignatureDoesNotMatch")
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(Self.getObject, wrongSignature, secret: Self.secret, now: Self.soon) } == "SignatureDoesNotMatch")
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(Self.getObject, authorization, secret: "other", now: Self.soon) } == "SignatureDoesNotMatch")
    }

    @Test func anUnsignedAmzHeaderIsRefused() throws {
        var head = Self.getObject
        head.headers.append(("X-Amz-Meta-Owner", "mallory"))
        let authorization = try #require(try SigV4.parse(head))
        #expect(Self.code { () throws(S3Error) in _ = try SigV4.verify(head, authorization, secret: Self.secret, now: Self.soon) } == "AccessDenied")
    }

    @Test func malformedAuthorizationHeaders() {
        func parseCode(_ authorization: String, date: String = "20130524T000000Z") -> String? {
            let head = SignedRequestHead(
                method: "GET", rawPath: "/", rawQuery: "",
                headers: [("Host", "h"), ("Authorization", authorization), ("x-amz-date", date), ("x-amz-content-sha256", Self.emptyHash)])
            return Self.code { () throws(S3Error) in _ = try SigV4.parse(head) }
        }
        let signature = String(repeating: "a", count: 64)
        #expect(parseCode("AWS4-HMAC-SHA256 SignedHeaders=host,Signature=\(signature)") == "AuthorizationHeaderMalformed")
        #expect(parseCode("AWS4-HMAC-SHA256 Credential=AKID/2013/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=\(signature)") == "AuthorizationHeaderMalformed")
        #expect(parseCode("AWS4-HMAC-SHA256 Credential=AKID/20130525/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=\(signature)") == "AuthorizationHeaderMalformed")
        #expect(parseCode("AWS4-HMAC-SHA256 Credential=\(Self.credential),SignedHeaders=host,Signature=xyz") == "AuthorizationHeaderMalformed")
        #expect(parseCode(Self.authorization("host", signature), date: "2013-05-24") == "AccessDenied")
        #expect(parseCode("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=") == "InvalidRequest")
        #expect(parseCode("AWS4-ECDSA-P256-SHA256 Credential=\(Self.credential),SignedHeaders=host,Signature=\(signature)") == "InvalidRequest")
        #expect(parseCode(Self.authorization("host", signature)) == nil)
    }

    @Test func payloadModes() throws {
        func payload(_ value: String) throws -> PayloadSignature? {
            let head = SignedRequestHead(
                method: "PUT", rawPath: "/b/k", rawQuery: "",
                headers: [("Host", "h"), ("Authorization", Self.authorization("host", String(repeating: "0", count: 64))),
                    ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", value)])
            return try SigV4.parse(head)?.payload
        }
        #expect(try payload("UNSIGNED-PAYLOAD") == .unsigned)
        #expect(try payload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") == .streaming)
        #expect(try payload("STREAMING-UNSIGNED-PAYLOAD-TRAILER") == .streamingUnsignedTrailer)
        #expect(try payload(Self.emptyHash.uppercased()) == .sha256(hex: Self.emptyHash))
        #expect(throws: S3Error.self) { try payload("nonsense") }
    }

    @Test func canonicalPathAndQueryEncoding() {
        #expect(URIEncoding.canonicalPath("/b/a%20b/c~d%7e%2Fe+f") == "/b/a%20b/c~d~%2Fe%2Bf")
        #expect(URIEncoding.canonicalPath("/b/a//c/") == "/b/a//c/")
        #expect(URIEncoding.canonicalPath("/b/caf%C3%A9") == "/b/caf%C3%A9")
        let head = SignedRequestHead(method: "GET", rawPath: "/", rawQuery: "b=2&a=x%2Fy&uploads&a=1", headers: [])
        let authorization = SigV4Authorization(
            accessKeyID: "k", date: Self.exampleDate, scope: "20130524/us-east-1/s3/aws4_request", region: "us-east-1",
            signedHeaders: ["host"], signature: "", payload: .unsigned)
        let lines = SigV4.canonicalRequest(head, authorization).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[2] == "a=1&a=x%2Fy&b=2&uploads=")
    }
}
