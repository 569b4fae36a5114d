/// An S3 error response: the code clients switch on, the HTTP status, and the XML body.
///
/// The common errors are static members (`S3Error+Catalog.swift`) carrying the messages
/// S3 documents; a caller may refine `message` or set `resource` before replying.
public struct S3Error: Error, Sendable, Equatable {
    /// The S3 error code, e.g. `NoSuchKey`; clients and SDKs switch on it.
    public var code: String
    /// A human-readable explanation.
    public var message: String
    /// The HTTP status code of the response.
    public var status: Int
    /// The bucket or object path the error concerns, when there is one.
    public var resource: String?

    public init(code: String, message: String, status: Int, resource: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.resource = resource
    }

    /// The error response body:
    /// `<?xml version="1.0" encoding="UTF-8"?><Error><Code>…</Code><Message>…</Message><Resource>…</Resource><RequestId>…</RequestId></Error>`.
    public func xml(requestID: String) -> [UInt8] {
        var writer = XMLWriter()
        writer.open("Error")
        writer.element("Code", code)
        writer.element("Message", message)
        if let resource { writer.element("Resource", resource) }
        writer.element("RequestId", requestID)
        writer.close("Error")
        return writer.bytes
    }

    /// The same error with another message, keeping code and status.
    public func with(message: String) -> S3Error {
        var copy = self
        copy.message = message
        return copy
    }

    /// The same error naming the bucket or object it concerns.
    public func with(resource: String?) -> S3Error {
        var copy = self
        copy.resource = resource
        return copy
    }
}
