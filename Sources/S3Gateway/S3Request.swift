import Foundation
import HTTPTypes
import Hummingbird
import S3Protocol

/// One authenticated request as the operations see it: the bucket and key it addresses,
/// its decoded query, its headers, and its body (checked against its signature as it is read).
struct S3Request: Sendable {
    var method: HTTPRequest.Method
    var bucket: String?
    var key: String?
    /// Decoded query parameters; a parameter given without `=` has the value "".
    var query: [String: String]
    var headers: HTTPFields
    var body: S3Body
    /// The access key that signed the request.
    var accessKey: AccessKeyEntry

    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    /// `x-amz-meta-*` headers, names lowercased without the prefix.
    var userMetadata: [String: String] {
        var metadata: [String: String] = [:]
        for field in headers where field.name.canonicalName.hasPrefix("x-amz-meta-") {
            metadata[String(field.name.canonicalName.dropFirst("x-amz-meta-".count))] = field.value
        }
        return metadata
    }

    /// The standard headers S3 stores with an object and returns on GET and HEAD.
    static let storedHeaders = ["content-type", "cache-control", "content-disposition", "content-encoding", "content-language", "expires"]

    var storedHeaders: [String: String] {
        var stored: [String: String] = [:]
        for name in Self.storedHeaders {
            if let value = header(name) { stored[name] = value }
        }
        if stored["content-type"] == nil { stored["content-type"] = "binary/octet-stream" }
        // aws-chunked is how the body travelled, not how the object is encoded.
        if let encoding = stored["content-encoding"] {
            let kept = encoding.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "aws-chunked" && !$0.isEmpty }
            stored["content-encoding"] = kept.isEmpty ? nil : kept.joined(separator: ",")
        }
        return stored
    }

    /// Refuses user metadata over S3's 2 KB limit (names and values, UTF-8).
    func checkMetadata() throws(S3Error) {
        let size = userMetadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= 2048 else { throw S3Error.metadataTooLarge }
    }

    func requireBucket() throws(S3Error) -> String {
        guard let bucket else { throw S3Error.methodNotAllowed }
        return bucket
    }

    func requireKey() throws(S3Error) -> String {
        guard let key else { throw S3Error.methodNotAllowed }
        return key
    }

    /// An integer query parameter within `range`, or `defaultValue` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(S3Error) -> Int {
        guard let text = query[name] else { return defaultValue }
        guard let value = Int(text), value >= range.lowerBound else { throw S3Error.invalidArgument("\(name) must be an integer in \(range)") }
        return min(value, range.upperBound)
    }
}
