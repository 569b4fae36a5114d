import Foundation

/// How the request body is authenticated, from `x-amz-content-sha256`.
public enum PayloadSignature: Sendable, Equatable {
    /// `UNSIGNED-PAYLOAD`, and presigned URLs: the body is not covered.
    case unsigned
    /// The body must hash to this (lowercase hex); the gateway checks while streaming and
    /// answers `XAmzContentSHA256Mismatch` when it does not.
    case sha256(hex: String)
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (and its `-TRAILER` form): an aws-chunked body
    /// whose every chunk is signed; decode it with `AWSChunkedDecoder` and the signing key.
    case streaming
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked without chunk signatures, trailing
    /// checksum headers; what recent aws CLI and boto3 send by default.
    case streamingUnsignedTrailer
}

/// A SigV4 authorization as parsed from the header or the query, before the secret is known.
public struct SigV4Authorization: Sendable {
    public var accessKeyID: String
    /// `x-amz-date` (or `X-Amz-Date`, or the `Date` header).
    public var date: Date
    /// `20130524/us-east-1/s3/aws4_request`.
    public var scope: String
    public var region: String
    /// Lowercase, in the order the client listed them.
    public var signedHeaders: [String]
    /// Lowercase hex.
    public var signature: String
    public var payload: PayloadSignature
    /// Seconds of validity, for presigned URLs only.
    public var presignedExpires: Int?

    public init(
        accessKeyID: String, date: Date, scope: String, region: String, signedHeaders: [String], signature: String,
        payload: PayloadSignature, presignedExpires: Int? = nil
    ) {
        self.accessKeyID = accessKeyID
        self.date = date
        self.scope = scope
        self.region = region
        self.signedHeaders = signedHeaders
        self.signature = signature
        self.payload = payload
        self.presignedExpires = presignedExpires
    }
}
