import APIModel
import Content
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import S3Protocol

/// PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject.
extension S3Responder {
    func putObject(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        try request.checkMetadata()
        let expectedMD5 = try Self.contentMD5(request)
        let stored = try await realm.network.store(request.body, as: .object)
        realm.references.touch(stored.capability.description)
        let etag = request.body.digest.finalize()
        if let expectedMD5, expectedMD5 != etag { throw S3Error.badDigest }
        let entry = try await realm.index(bucket).write(ObjectEntry(
            name: key, size: stored.size, etag: etag, modified: S3Realm.milliseconds(), headers: request.storedHeaders,
            metadata: request.userMetadata, parts: [.init(cap: stored.capability.description, size: stored.size)]))
        return Self.empty(.ok, headers: [.eTag: "\"\(entry.etag)\""])
    }

    func getObject(_ request: S3Request, head: Bool) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let entry = try await object(bucket, key)
        var headers = Self.objectHeaders(entry, query: request.query)
        if let status = try Self.evaluateConditions(request, entry) {
            return Self.empty(status, headers: status == .notModified ? headers : [:])
        }
        var range: Range<UInt64> = 0..<entry.size
        var status = HTTPResponse.Status.ok
        if let header = request.header("range") {
            switch ByteRange.resolve(header, size: entry.size) {
            case .full: break
            case .partial(let part):
                range = part
                status = .partialContent
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(entry.size)"
            case .unsatisfiable:
                throw S3Error.invalidRange.with(resource: "/\(bucket)/\(key)")
            }
        }
        headers[.contentLength] = String(range.count)
        if head { return Response(status: status, headers: headers) }
        let network = realm.network, served = range
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: served.count) { writer in
            try await ObjectReader.read(entry.parts, range: served, network: network) { slice in
                try await writer.write(ByteBuffer(bytes: slice))
            }
            try await writer.finish(nil)
        })
    }

    func deleteObject(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        try await delete(key, in: bucket)
        return Self.empty(.noContent)
    }

    func deleteObjects(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request)
        let body = try await request.body.collect(limit: DeleteObjectsRequest.maximumBodySize)
        if let expected = try Self.contentMD5(request), expected != request.body.digest.finalize() { throw S3Error.badDigest }
        let (keys, quiet) = try DeleteObjectsRequest.parse(body)
        var xml = XMLWriter()
        xml.open("DeleteResult", namespace: XMLWriter.s3Namespace)
        for key in keys {
            do {
                try ObjectKey.validate(key)
                try await delete(key, in: bucket)
                if !quiet {
                    xml.open("Deleted")
                    xml.element("Key", key)
                    xml.close("Deleted")
                }
            } catch {
                let s3Error = (error as? S3Error) ?? Self.s3Error(for: error)
                xml.open("Error")
                xml.element("Key", key)
                xml.element("Code", s3Error.code)
                xml.element("Message", s3Error.message)
                xml.close("Error")
            }
        }
        xml.close("DeleteResult")
        return Self.xmlResponse(xml)
    }

    func copyObject(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let (sourceBucket, sourceKey) = try Self.copySource(request)
        guard request.accessKey.allows(sourceBucket) else { throw S3Error.accessDenied }
        guard try await realm.bucket(sourceBucket) != nil else { throw S3Error.noSuchBucket(sourceBucket) }
        let source = try await object(sourceBucket, sourceKey)
        try Self.evaluateCopyConditions(request, source)
        let replace = request.header("x-amz-metadata-directive")?.uppercased() == "REPLACE"
        guard replace || request.header("x-amz-metadata-directive").map({ $0.uppercased() == "COPY" }) ?? true else {
            throw S3Error.invalidArgument("Unknown metadata directive.")
        }
        if sourceBucket == bucket, sourceKey == key, !replace {
            throw S3Error.invalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
        if replace { try request.checkMetadata() }
        // The copy names the same files: nothing is read or written but the index.
        let entry = try await realm.index(bucket).write(ObjectEntry(
            name: key, size: source.size, etag: source.etag, modified: S3Realm.milliseconds(),
            headers: replace ? request.storedHeaders : source.headers, metadata: replace ? request.userMetadata : source.metadata,
            parts: source.parts))
        var xml = XMLWriter()
        xml.open("CopyObjectResult", namespace: XMLWriter.s3Namespace)
        xml.element("LastModified", HTTPDate.iso8601(entry.lastModified))
        xml.element("ETag", "\"\(entry.etag)\"")
        xml.close("CopyObjectResult")
        return Self.xmlResponse(xml)
    }

    // MARK: Helpers

    /// The live entry of `key`; the index is read again from the network before answering
    /// NoSuchKey, so a key another gateway wrote a moment ago is found.
    func object(_ bucket: String, _ key: String) async throws -> ObjectEntry {
        let index = try await realm.index(bucket)
        if let entry = await index.entry(key) { return entry }
        try await index.refresh()
        guard let entry = await index.entry(key) else { throw S3Error.noSuchKey(key).with(resource: "/\(bucket)/\(key)") }
        return entry
    }

    private func delete(_ key: String, in bucket: String) async throws {
        let index = try await realm.index(bucket)
        guard await index.entry(key) != nil else { return }
        try await index.write(ObjectEntry.tombstone(key))
    }

    /// `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded; a version id is refused.
    static func copySource(_ request: S3Request) throws(S3Error) -> (bucket: String, key: String) {
        guard var source = request.header("x-amz-copy-source") else { throw S3Error.invalidArgument("x-amz-copy-source is missing") }
        if let mark = source.firstIndex(of: "?") {
            guard source[source.index(after: mark)...].hasPrefix("versionId=null") || source[mark...] == "?" else {
                throw S3Error.notImplemented.with(message: "Object versions are not implemented by this gateway.")
            }
            source = String(source[..<mark])
        }
        guard let decoded = source.removingPercentEncoding else { throw S3Error.invalidArgument("x-amz-copy-source is not percent-encoded") }
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        guard let slash = trimmed.firstIndex(of: "/") else { throw S3Error.invalidArgument("x-amz-copy-source names no key") }
        let bucket = String(trimmed[..<slash]), key = String(trimmed[trimmed.index(after: slash)...])
        try BucketName.validate(bucket)
        try ObjectKey.validate(key)
        return (bucket, key)
    }

    /// `Content-MD5`, as hex, when given; a malformed one is InvalidDigest.
    static func contentMD5(_ request: S3Request) throws(S3Error) -> String? {
        guard let header = request.header("content-md5") else { return nil }
        guard let bytes = Data(base64Encoded: header), bytes.count == 16 else { throw S3Error.invalidDigest }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The headers of GET and HEAD: length is set by the caller.
    static func objectHeaders(_ entry: ObjectEntry, query: [String: String]) -> HTTPFields {
        var headers: HTTPFields = [
            .eTag: "\"\(entry.etag)\"", .lastModified: HTTPDate.rfc1123(entry.lastModified), .acceptRanges: "bytes",
        ]
        for (name, value) in entry.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        for (name, value) in entry.metadata {
            if let field = HTTPField.Name("x-amz-meta-" + name) { headers[field] = value }
        }
        // Presigned GETs may override the stored headers.
        let overrides = [
            "response-content-type": "content-type", "response-content-language": "content-language",
            "response-expires": "expires", "response-cache-control": "cache-control",
            "response-content-disposition": "content-disposition", "response-content-encoding": "content-encoding",
        ]
        for (parameter, name) in overrides {
            if let value = query[parameter], let field = HTTPField.Name(name) { headers[field] = value }
        }
        return headers
    }

    /// GET and HEAD conditions, in the order RFC 9110 §13.2.2 gives: a failed `If-Match` or
    /// `If-Unmodified-Since` is 412; a matched `If-None-Match` or an unmodified
    /// `If-Modified-Since` is 304. Nil to serve the object.
    static func evaluateConditions(_ request: S3Request, _ entry: ObjectEntry) throws(S3Error) -> HTTPResponse.Status? {
        let modified = entry.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = request.header("if-match") {
            guard ETagList.matches(ifMatch, entry.etag) else { throw S3Error.preconditionFailed }
        } else if let text = request.header("if-unmodified-since"), let date = HTTPDate.parseRFC1123(text) {
            guard modified <= date.timeIntervalSince1970 else { throw S3Error.preconditionFailed }
        }
        if let ifNoneMatch = request.header("if-none-match") {
            if ETagList.matches(ifNoneMatch, entry.etag) { return .notModified }
        } else if let text = request.header("if-modified-since"), let date = HTTPDate.parseRFC1123(text) {
            if modified <= date.timeIntervalSince1970 { return .notModified }
        }
        return nil
    }

    /// `x-amz-copy-source-if-*`: any that fails is 412.
    static func evaluateCopyConditions(_ request: S3Request, _ source: ObjectEntry) throws(S3Error) {
        let modified = source.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = request.header("x-amz-copy-source-if-match"), !ETagList.matches(ifMatch, source.etag) {
            throw S3Error.preconditionFailed
        }
        if let ifNoneMatch = request.header("x-amz-copy-source-if-none-match"), ETagList.matches(ifNoneMatch, source.etag) {
            throw S3Error.preconditionFailed
        }
        if let text = request.header("x-amz-copy-source-if-unmodified-since"), let date = HTTPDate.parseRFC1123(text),
            modified > date.timeIntervalSince1970
        {
            throw S3Error.preconditionFailed
        }
        if let text = request.header("x-amz-copy-source-if-modified-since"), let date = HTTPDate.parseRFC1123(text),
            modified <= date.timeIntervalSince1970
        {
            throw S3Error.preconditionFailed
        }
    }
}

/// An `If-Match` / `If-None-Match` list: `*`, or ETags, quoted or not, weak or strong.
enum ETagList {
    static func matches(_ header: String, _ etag: String) -> Bool {
        for item in header.split(separator: ",") {
            var tag = item.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 { tag = String(tag.dropFirst().dropLast()) }
            if tag == etag { return true }
        }
        return false
    }
}
