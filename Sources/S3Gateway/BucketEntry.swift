import S3Protocol

/// A bucket in the network's registry: its name and when it was made; deleting it is a
/// newer version with `deleted` set.
public struct BucketEntry: ReplicatedEntry {
    public var name: String
    public var version: EntryVersion
    public var deleted: Bool
    /// Milliseconds since 1970.
    public var created: Int64
    /// The `LocationConstraint` given at creation ("" for the default region).
    public var region: String

    public var isWellFormed: Bool { BucketName.isValid(name) && region.utf8.count <= 64 }
}
