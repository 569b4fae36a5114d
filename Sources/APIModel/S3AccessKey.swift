/// An S3 access key as the local API shows it (`/v1/s3/keys`); the secret only in the
/// answer that created the key.
public struct S3AccessKey: Codable, Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String?
    public var name: String
    /// Seconds since 1970.
    public var created: Double
    /// The buckets the key may use; empty for every bucket.
    public var buckets: [String]

    public init(accessKeyId: String, secretAccessKey: String?, name: String, created: Double, buckets: [String]) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.name = name
        self.created = created
        self.buckets = buckets
    }

    /// The body of `POST /v1/s3/keys`.
    public struct CreateRequest: Codable, Sendable {
        public var name: String
        public var buckets: [String]

        public init(name: String, buckets: [String]) {
            self.name = name
            self.buckets = buckets
        }
    }
}
