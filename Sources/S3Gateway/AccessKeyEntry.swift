/// An S3 access key, network-wide: every gateway accepts it. The secret travels only inside
/// the network (peers are admitted members; docs/s3.md, "Trust").
public struct AccessKeyEntry: ReplicatedEntry {
    /// The access key id (`P2P…`, 20 characters).
    public var name: String
    public var version: EntryVersion
    public var deleted: Bool
    public var secret: String
    /// A label for people.
    public var label: String
    /// Milliseconds since 1970.
    public var created: Int64
    /// The buckets the key may use; empty for every bucket.
    public var buckets: [String]

    public var isWellFormed: Bool {
        secret.utf8.count <= 128 && label.utf8.count <= 256 && buckets.count <= 1000
    }

    /// Whether the key may act on `bucket`.
    public func allows(_ bucket: String) -> Bool {
        buckets.isEmpty || buckets.contains(bucket)
    }
}
