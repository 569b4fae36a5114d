/// The errors the gateway returns, with the codes, statuses and messages S3 documents
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
extension S3Error {
    // MARK: Authentication

    public static let accessDenied = S3Error(code: "AccessDenied", message: "Access Denied", status: 403)
    /// A presigned URL used after `X-Amz-Date` + `X-Amz-Expires`.
    public static let expiredRequest = S3Error(code: "AccessDenied", message: "Request has expired", status: 403)
    /// A presigned URL used well before its `X-Amz-Date`.
    public static let requestNotYetValid = S3Error(code: "AccessDenied", message: "Request is not valid yet", status: 403)
    public static let signatureDoesNotMatch = S3Error(
        code: "SignatureDoesNotMatch",
        message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        status: 403)
    public static let invalidAccessKeyId = S3Error(
        code: "InvalidAccessKeyId", message: "The AWS access key Id you provided does not exist in our records.", status: 403)
    public static let requestTimeTooSkewed = S3Error(
        code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large.",
        status: 403)
    public static func authorizationHeaderMalformed(_ message: String = "The authorization header that you provided is not valid.") -> S3Error {
        S3Error(code: "AuthorizationHeaderMalformed", message: message, status: 400)
    }
    public static func authorizationQueryParametersError(
        _ message: String = "The authorization query parameters that you provided are not valid."
    ) -> S3Error {
        S3Error(code: "AuthorizationQueryParametersError", message: message, status: 400)
    }
    public static func missingSecurityHeader(_ header: String) -> S3Error {
        S3Error(code: "MissingSecurityHeader", message: "Your request is missing a required header: \(header).", status: 400)
    }
    /// Signature V2, SigV4a and anything else that is not `AWS4-HMAC-SHA256`.
    public static let unsupportedAuthorization = S3Error(
        code: "InvalidRequest",
        message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
        status: 400)

    // MARK: Buckets and objects

    public static func noSuchBucket(_ bucket: String) -> S3Error {
        S3Error(code: "NoSuchBucket", message: "The specified bucket does not exist.", status: 404, resource: bucket)
    }
    public static func noSuchKey(_ key: String) -> S3Error {
        S3Error(code: "NoSuchKey", message: "The specified key does not exist.", status: 404, resource: key)
    }
    public static func noSuchUpload(_ uploadID: String) -> S3Error {
        S3Error(
            code: "NoSuchUpload",
            message: "The specified multipart upload does not exist. The upload ID might not be valid, or the multipart upload might have been aborted or completed.",
            status: 404, resource: uploadID)
    }
    public static func bucketAlreadyOwnedByYou(_ bucket: String) -> S3Error {
        S3Error(
            code: "BucketAlreadyOwnedByYou",
            message: "Your previous request to create the named bucket succeeded and you already own it.",
            status: 409, resource: bucket)
    }
    public static func bucketAlreadyExists(_ bucket: String) -> S3Error {
        S3Error(
            code: "BucketAlreadyExists",
            message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Select a different name and try again.",
            status: 409, resource: bucket)
    }
    public static func bucketNotEmpty(_ bucket: String) -> S3Error {
        S3Error(code: "BucketNotEmpty", message: "The bucket you tried to delete is not empty.", status: 409, resource: bucket)
    }
    public static func invalidBucketName(_ bucket: String) -> S3Error {
        S3Error(code: "InvalidBucketName", message: "The specified bucket is not valid.", status: 400, resource: bucket)
    }
    public static let keyTooLong = S3Error(code: "KeyTooLongError", message: "Your key is too long.", status: 400)
    public static let metadataTooLarge = S3Error(
        code: "MetadataTooLarge", message: "Your metadata headers exceed the maximum allowed metadata size.", status: 400)

    // MARK: Request shape

    public static let malformedXML = S3Error(
        code: "MalformedXML",
        message: "The XML you provided was not well-formed or did not validate against our published schema.",
        status: 400)
    public static func invalidArgument(_ message: String = "Invalid Argument") -> S3Error {
        S3Error(code: "InvalidArgument", message: message, status: 400)
    }
    public static func invalidRequest(_ message: String) -> S3Error {
        S3Error(code: "InvalidRequest", message: message, status: 400)
    }
    public static let invalidURI = S3Error(code: "InvalidURI", message: "Couldn't parse the specified URI.", status: 400)
    public static let invalidRange = S3Error(code: "InvalidRange", message: "The requested range is not satisfiable", status: 416)
    public static let preconditionFailed = S3Error(
        code: "PreconditionFailed", message: "At least one of the preconditions you specified did not hold.", status: 412)
    public static let methodNotAllowed = S3Error(
        code: "MethodNotAllowed", message: "The specified method is not allowed against this resource.", status: 405)
    public static let notImplemented = S3Error(
        code: "NotImplemented", message: "A header you provided implies functionality that is not implemented.", status: 501)
    public static let missingContentLength = S3Error(
        code: "MissingContentLength", message: "You must provide the Content-Length HTTP header.", status: 411)
    public static let requestHeaderSectionTooLarge = S3Error(
        code: "RequestHeaderSectionTooLarge", message: "Your request header section exceeds the maximum allowed size.", status: 400)

    // MARK: Bodies and uploads

    public static let entityTooLarge = S3Error(
        code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed object size.", status: 400)
    public static let entityTooSmall = S3Error(
        code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed object size.", status: 400)
    public static let invalidPart = S3Error(
        code: "InvalidPart",
        message: "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
        status: 400)
    public static let invalidPartOrder = S3Error(
        code: "InvalidPartOrder",
        message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        status: 400)
    public static let badDigest = S3Error(
        code: "BadDigest", message: "The Content-MD5 you specified did not match what we received.", status: 400)
    public static let invalidDigest = S3Error(
        code: "InvalidDigest", message: "The Content-MD5 you specified is not valid.", status: 400)
    public static let contentSHA256Mismatch = S3Error(
        code: "XAmzContentSHA256Mismatch",
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.", status: 400)
    public static let incompleteBody = S3Error(
        code: "IncompleteBody",
        message: "You did not provide the number of bytes specified by the Content-Length HTTP header.", status: 400)

    // MARK: Server

    public static let internalError = S3Error(
        code: "InternalError", message: "We encountered an internal error. Please try again.", status: 500)
    public static let serviceUnavailable = S3Error(
        code: "ServiceUnavailable", message: "Reduce your request rate.", status: 503)
    public static let slowDown = S3Error(code: "SlowDown", message: "Please reduce your request rate.", status: 503)
}
