import Codecs
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenSSLKit
import S3Protocol

/// Answers every S3 request: authenticates it (Signature V4), finds the bucket and key it
/// addresses (path or virtual-host style), and hands it to the operation its method and
/// query name (`S3Responder+Buckets`, `+Objects`, `+Multipart`, `+Listing`). Every failure
/// is an S3 XML error; nothing else ever reaches the client.
struct S3Responder: HTTPResponder {
    typealias Context = BasicRequestContext

    let realm: S3Realm
    let uploads: MultipartUploads
    let configuration: S3Gateway.Configuration
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = Self.requestID()
        do {
            let s3Request = try await authenticate(request)
            var response = try await dispatch(s3Request)
            response.headers[.init("x-amz-request-id")!] = requestID
            return response
        } catch let error as S3Error {
            return Self.errorResponse(error, requestID: requestID, head: request.method == .head)
        } catch {
            logger.warning("an S3 request failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            return Self.errorResponse(Self.s3Error(for: error), requestID: requestID, head: request.method == .head)
        }
    }

    // MARK: Authentication

    private func authenticate(_ request: Request) async throws -> S3Request {
        let target = request.head.path ?? "/"
        let (rawPath, rawQuery) = Self.split(target)
        // HTTP types carry Host as the request's authority, not among the fields.
        let head = SignedRequestHead(
            method: request.method.rawValue, rawPath: rawPath, rawQuery: rawQuery,
            headers: [(name: "host", value: request.head.authority ?? "")] + request.headers.map { (name: $0.name.canonicalName, value: $0.value) })
        let address = try S3Address.parse(host: request.head.authority, rawPath: rawPath, domain: configuration.domain)
        guard let authorization = try SigV4.parse(head) else { throw S3Error.accessDenied }
        guard let accessKey = try await realm.key(authorization.accessKeyID) else { throw S3Error.invalidAccessKeyId }
        let signingKey = try SigV4.verify(head, authorization, secret: accessKey.secret, now: Date())
        if let bucket = address.bucket, !accessKey.allows(bucket) { throw S3Error.accessDenied }

        let encoding: S3Body.Encoding
        switch authorization.payload {
        case .unsigned: encoding = .plain(sha256: nil)
        case .sha256(let hex): encoding = .plain(sha256: hex)
        case .streaming:
            encoding = .chunked(AWSChunkedDecoder(
                signingKey: signingKey, seedSignature: authorization.signature, date: authorization.date, scope: authorization.scope))
        case .streamingUnsignedTrailer:
            encoding = .chunked(AWSChunkedDecoder(signingKey: nil, seedSignature: nil, date: authorization.date, scope: authorization.scope))
        }
        var declared: UInt64?
        if let decoded = request.headers[.init("x-amz-decoded-content-length")!] {
            guard let value = UInt64(decoded) else { throw S3Error.invalidArgument("x-amz-decoded-content-length is not a number") }
            declared = value
        } else if case .plain = encoding, let length = request.headers[.contentLength] {
            declared = UInt64(length)
        }
        return S3Request(
            method: request.method, bucket: address.bucket, key: address.key, query: Self.decodeQuery(rawQuery),
            headers: request.headers,
            body: S3Body(body: request.body, encoding: encoding, declaredLength: declared, digest: BodyDigest()),
            accessKey: accessKey)
    }

    // MARK: Dispatch

    private func dispatch(_ request: S3Request) async throws -> Response {
        let query = request.query
        guard let bucket = request.bucket else {
            guard request.method == .get else { throw S3Error.methodNotAllowed }
            return try await listBuckets(request)
        }
        try BucketName.validate(bucket)
        guard request.key != nil else {
            switch request.method {
            case .put:
                try Self.refuseSubresources(query, except: [])
                return try await createBucket(request)
            case .head: return try await headBucket(request)
            case .delete:
                try Self.refuseSubresources(query, except: [])
                return try await deleteBucket(request)
            case .get:
                if query["location"] != nil { return try await bucketLocation(request) }
                if query["uploads"] != nil { return try await listUploads(request) }
                if query["versioning"] != nil { return try await bucketVersioning(request) }
                try Self.refuseSubresources(query, except: Self.listingParameters)
                return try await listObjects(request, version: query["list-type"] == "2" ? 2 : 1)
            case .post:
                guard query["delete"] != nil else { throw S3Error.methodNotAllowed }
                return try await deleteObjects(request)
            default: throw S3Error.methodNotAllowed
            }
        }
        try ObjectKey.validate(request.requireKey())
        switch request.method {
        case .put:
            if query["uploadId"] != nil { return try await uploadPart(request) }
            try Self.refuseSubresources(query, except: [])
            if request.header("x-amz-copy-source") != nil { return try await copyObject(request) }
            return try await putObject(request)
        case .get:
            if query["uploadId"] != nil { return try await listParts(request) }
            return try await getObject(request, head: false)
        case .head: return try await getObject(request, head: true)
        case .delete:
            if query["uploadId"] != nil { return try await abortUpload(request) }
            return try await deleteObject(request)
        case .post:
            if query["uploads"] != nil { return try await createUpload(request) }
            if query["uploadId"] != nil { return try await completeUpload(request) }
            throw S3Error.methodNotAllowed
        default: throw S3Error.methodNotAllowed
        }
    }

    static let listingParameters: Set<String> = [
        "list-type", "prefix", "delimiter", "max-keys", "marker", "continuation-token", "start-after", "encoding-type", "fetch-owner",
    ]
    /// Sub-resources this gateway does not implement (ACLs, policies, tagging, …) are
    /// refused with NotImplemented rather than treated as the plain operation.
    private static func refuseSubresources(_ query: [String: String], except allowed: Set<String>) throws(S3Error) {
        for name in query.keys where !allowed.contains(name) && !name.lowercased().hasPrefix("x-amz-") {
            throw S3Error.notImplemented.with(message: "The \(name) sub-resource is not implemented by this gateway.")
        }
    }

    // MARK: Helpers

    static func xmlResponse(_ writer: XMLWriter, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers)
    }

    static func errorResponse(_ error: S3Error, requestID: String, head: Bool) -> Response {
        let body = head ? [] : error.xml(requestID: requestID)
        var headers: HTTPFields = [.init("x-amz-request-id")!: requestID]
        if !head { headers[.contentType] = "application/xml" }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// What a failure that is not an S3 error means to a client: the network could not do
    /// it now (retry), or a bug.
    static func s3Error(for error: Error) -> S3Error {
        let text = "\(error)"
        if text.contains("quorum") || text.contains("no peers") || text.contains("unreachable") {
            return S3Error.serviceUnavailable
        }
        return S3Error.internalError
    }

    static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// The query's parameters, percent-decoded (`+` is a plus, as S3 reads it).
    static func decodeQuery(_ raw: String) -> [String: String] {
        var query: [String: String] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            query[name] = value
        }
        return query
    }

    private static func requestID() -> String {
        Hex.encode((try? SecureRandom.bytes(count: 8)) ?? [0]).uppercased()
    }
}
