import Codecs
import Foundation
import OpenSSLKit

extension SigV4 {
    /// Checks a parsed authorization against the secret of its access key: the clock
    /// (±15 minutes for header authorization; not yet valid or expired for presigned URLs),
    /// that `host` and every `x-amz-*` header present is signed, then the signature, in
    /// constant time. Returns the signing key, which aws-chunked bodies need.
    public static func verify(
        _ head: SignedRequestHead, _ authorization: SigV4Authorization, secret: String, now: Date
    ) throws(S3Error) -> [UInt8] {
        let age = now.timeIntervalSince(authorization.date)
        if let expires = authorization.presignedExpires {
            guard age >= -maximumSkew else { throw .requestNotYetValid }
            guard age <= TimeInterval(expires) else { throw .expiredRequest }
        } else {
            guard abs(age) <= maximumSkew else { throw .requestTimeTooSkewed }
        }
        let signed = Set(authorization.signedHeaders)
        guard signed.contains("host") else { throw .accessDenied.with(message: "The host header must be signed.") }
        let unsigned = Set(head.headers.map { $0.name.lowercased() }.filter { $0.hasPrefix("x-amz-") && !signed.contains($0) })
        guard unsigned.isEmpty else {
            throw .accessDenied.with(
                message: "There were headers present in the request which were not signed: \(unsigned.sorted().joined(separator: ", "))")
        }
        let key = signingKey(secret: secret, scope: authorization.scope)
        let expected = Array(signature(of: head, authorization, signingKey: key).utf8)
        guard HMACSHA256.isEqual(expected, Array(authorization.signature.utf8)) else { throw .signatureDoesNotMatch }
        return key
    }

    /// The key derived from a secret for one day, region and service (`scope`), as
    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    public static func signingKey(secret: String, scope: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for component in scope.split(separator: "/", omittingEmptySubsequences: false).prefix(4) {
            key = HMACSHA256.authenticate(key: key, message: Array(component.utf8))
        }
        return key
    }

    /// The lowercase hex signature a correct client computes for this request.
    public static func signature(of head: SignedRequestHead, _ authorization: SigV4Authorization, signingKey: [UInt8]) -> String {
        let request = canonicalRequest(head, authorization)
        let stringToSign = [algorithm, HTTPDate.amzDate(authorization.date), authorization.scope, Hex.encode(SHA256.hash(Array(request.utf8)))]
            .joined(separator: "\n")
        return Hex.encode(HMACSHA256.authenticate(key: signingKey, message: Array(stringToSign.utf8)))
    }

    /// The canonical request: method, URI, query, headers, signed header list, payload hash.
    static func canonicalRequest(_ head: SignedRequestHead, _ authorization: SigV4Authorization) -> String {
        let presigned = authorization.presignedExpires != nil
        let query = head.queryParameters
            .filter { !(presigned && $0.name == "X-Amz-Signature") }
            .map { (URIEncoding.encode($0.name.utf8, keepSlash: false), URIEncoding.encode($0.value.utf8, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        var headers = ""
        for name in authorization.signedHeaders {
            headers += "\(name):\(head.values(of: name).map(trimAll).joined(separator: ","))\n"
        }
        let payloadHash: String
        if presigned {
            payloadHash = head.queryParameters.first { $0.name == "X-Amz-Content-Sha256" }?.value ?? "UNSIGNED-PAYLOAD"
        } else {
            payloadHash = head.value(of: "x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD"
        }
        return [
            head.method, URIEncoding.canonicalPath(head.rawPath), query, headers, authorization.signedHeaders.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The signature of one aws-chunked chunk, chained from the previous one.
    static func chunkSignature(signingKey: [UInt8], amzDate: String, scope: String, previous: String, chunkHash: [UInt8]) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, emptyHash, Hex.encode(chunkHash),
        ].joined(separator: "\n")
        return Hex.encode(HMACSHA256.authenticate(key: signingKey, message: Array(stringToSign.utf8)))
    }

    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
