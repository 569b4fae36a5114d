import Codecs
import Foundation

/// AWS Signature Version 4 as S3 checks it: header authorization and presigned URLs
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
/// Parsing is split from verifying so the gateway can look up the secret of the access
/// key in between.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Header authorization is refused beyond this distance from the server's clock.
    public static let maximumSkew: TimeInterval = 15 * 60
    /// The longest life of a presigned URL: one week.
    public static let maximumPresignedExpiry = 604_800

    /// The authorization a request carries: nil when it carries none (anonymous); throws
    /// the S3 error for a malformed or unsupported one.
    public static func parse(_ head: SignedRequestHead) throws(S3Error) -> SigV4Authorization? {
        let query = head.queryParameters
        let header = head.value(of: "authorization")
        let presigned = query.contains { $0.name == "X-Amz-Algorithm" || $0.name == "X-Amz-Signature" || $0.name == "X-Amz-Credential" }
        if presigned {
            guard header == nil else {
                throw .invalidArgument(
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
            }
            return try parsePresigned(query)
        }
        if let header { return try parseHeader(header, head) }
        // A Signature V2 presigned URL.
        if query.contains(where: { $0.name == "Signature" }) && query.contains(where: { $0.name == "AWSAccessKeyId" }) {
            throw .unsupportedAuthorization
        }
        return nil
    }

    private static func parseHeader(_ header: String, _ head: SignedRequestHead) throws(S3Error) -> SigV4Authorization {
        let words = header.split(separator: " ", maxSplits: 1)
        guard words.count == 2, words[0] == algorithm else { throw .unsupportedAuthorization }
        var fields: [String: String] = [:]
        for component in words[1].split(separator: ",") {
            let pair = component.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = trimAll(String(pair[0]))
            guard pair.count == 2, fields[name] == nil else {
                throw .authorizationHeaderMalformed("The authorization header is malformed; '\(component)' is not a valid component.")
            }
            fields[name] = trimAll(String(pair[1]))
        }
        guard let credential = fields["Credential"] else {
            throw .authorizationHeaderMalformed("The authorization header is malformed; missing Credential.")
        }
        guard let signedHeaders = fields["SignedHeaders"] else {
            throw .authorizationHeaderMalformed("The authorization header is malformed; missing SignedHeaders.")
        }
        guard let signature = fields["Signature"] else {
            throw .authorizationHeaderMalformed("The authorization header is malformed; missing Signature.")
        }
        let scope = try Scope(credential, malformed: { S3Error.authorizationHeaderMalformed($0) })
        let date: Date
        if let amzDate = head.value(of: "x-amz-date") {
            guard let parsed = HTTPDate.parseAmzDate(amzDate) else { throw .accessDenied.with(message: invalidDateMessage) }
            date = parsed
        } else if let httpDate = head.value(of: "date"), let parsed = HTTPDate.parseRFC1123(httpDate) {
            date = parsed
        } else {
            throw .accessDenied.with(message: invalidDateMessage)
        }
        guard HTTPDate.amzDay(date) == scope.day else {
            throw .authorizationHeaderMalformed("Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard let contentHash = head.value(of: "x-amz-content-sha256") else {
            throw .invalidRequest("Missing required header for this request: x-amz-content-sha256")
        }
        return SigV4Authorization(
            accessKeyID: scope.accessKeyID, date: date, scope: scope.text, region: scope.region,
            signedHeaders: try signedHeaderList(signedHeaders, malformed: { S3Error.authorizationHeaderMalformed($0) }),
            signature: try checkedSignature(signature, malformed: { S3Error.authorizationHeaderMalformed($0) }),
            payload: try payloadSignature(contentHash))
    }

    private static func parsePresigned(_ query: [(name: String, value: String)]) throws(S3Error) -> SigV4Authorization {
        func parameter(_ name: String) -> String? { query.first { $0.name == name }?.value }
        guard let algorithmName = parameter("X-Amz-Algorithm"), let credential = parameter("X-Amz-Credential"),
            let signature = parameter("X-Amz-Signature"), let amzDate = parameter("X-Amz-Date"),
            let signedHeaders = parameter("X-Amz-SignedHeaders"), let expiresText = parameter("X-Amz-Expires")
        else {
            throw .authorizationQueryParametersError(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        guard algorithmName == algorithm else {
            throw .authorizationQueryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        let scope = try Scope(credential, malformed: { S3Error.authorizationQueryParametersError($0) })
        guard let date = HTTPDate.parseAmzDate(amzDate) else {
            throw .authorizationQueryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard HTTPDate.amzDay(date) == scope.day else {
            throw .authorizationQueryParametersError("Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard let expires = Int(expiresText), expires >= 0 else {
            throw .authorizationQueryParametersError("X-Amz-Expires should be a number")
        }
        guard expires <= maximumPresignedExpiry else {
            throw .authorizationQueryParametersError("X-Amz-Expires must be less than a week (in seconds) that is 604800")
        }
        return SigV4Authorization(
            accessKeyID: scope.accessKeyID, date: date, scope: scope.text, region: scope.region,
            signedHeaders: try signedHeaderList(signedHeaders, malformed: { S3Error.authorizationQueryParametersError($0) }),
            signature: try checkedSignature(signature, malformed: { S3Error.authorizationQueryParametersError($0) }),
            payload: try payloadSignature(parameter("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD"),
            presignedExpires: expires)
    }

    private static let invalidDateMessage = "AWS authentication requires a valid Date or x-amz-date header"

    /// `AKID/20130524/us-east-1/s3/aws4_request`.
    private struct Scope {
        var accessKeyID: String, day: String, region: String, text: String

        init(_ credential: String, malformed: (String) -> S3Error) throws(S3Error) {
            let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, !parts[0].isEmpty, parts[1].utf8.count == 8, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                !parts[2].isEmpty, parts[4] == "aws4_request"
            else {
                throw malformed("The Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
            }
            guard parts[3] == "s3" else { throw malformed("The Credential has the wrong service \(parts[3]); expecting \"s3\".") }
            accessKeyID = parts[0]
            day = parts[1]
            region = parts[2]
            text = parts[1...].joined(separator: "/")
        }
    }

    private static func signedHeaderList(_ text: String, malformed: (String) -> S3Error) throws(S3Error) -> [String] {
        let names = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else { throw malformed("SignedHeaders is malformed.") }
        return names
    }

    private static func checkedSignature(_ text: String, malformed: (String) -> S3Error) throws(S3Error) -> String {
        guard text.utf8.count == 64, Hex.decode(text) != nil else { throw malformed("The Signature is not 64 hexadecimal digits.") }
        return text.lowercased()
    }

    private static func payloadSignature(_ value: String) throws(S3Error) -> PayloadSignature {
        switch value {
        case "UNSIGNED-PAYLOAD": return .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": return .streaming
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": return .streamingUnsignedTrailer
        case _ where value.utf8.count == 64 && Hex.decode(value) != nil: return .sha256(hex: value.lowercased())
        default:
            throw .invalidArgument(
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
        }
    }

    /// A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces collapsed.
    static func trimAll(_ value: String) -> String {
        var output: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
