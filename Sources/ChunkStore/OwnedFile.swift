import Foundation

/// A file this peer stored as its owner (`p2p ls`): it renews leases on the file's chunks
/// until the file is removed.
public struct OwnedFile: Sendable, Equatable {
    /// The capability that reads it (secret).
    public var capability: String
    /// Plaintext size in bytes.
    public var size: UInt64
    /// When it was first stored.
    public var storedAt: Date
    /// `put`, or the synced folder it came from (`folderSource(_:)`).
    public var source: String

    /// The source of files stored with `p2p put` (and a tree's files before trees had their own).
    public static let putSource = "put"
    /// The source of a tree's directory listings (`p2p put -r`).
    public static let treeSource = "put -r"
    /// The source of a tree's files (`p2p put -r`): removed with their tree (docs/gc.md, "Trees").
    public static let treeFileSource = "put -r file"
    /// The root listing of a tree, as `p2p put -r` printed it (beside its `put -r` row): a
    /// root stays a tree of its own when another tree holds the same directory.
    public static let treeRootSource = "put -r root"
    /// The source of the S3 gateway's objects (docs/s3.md): released by the gateway when no
    /// object names them any more, never by `p2p rm`.
    public static let s3Source = "s3"
    /// The source of the pages of the S3 gateway's bucket indexes: bookkeeping, not listed.
    public static let s3IndexSource = "s3-index"

    /// The source of a synced folder's versions: `folder:` and the folder's id.
    public static func folderSource(_ folderID: String) -> String { "folder:" + folderID }

    /// The source of the pages of this device's index tree of a synced folder.
    public static func folderIndexSource(_ folderID: String) -> String { folderIndexSourcePrefix + folderID }
    public static let folderIndexSourcePrefix = "folder-index:"

    public init(capability: String, size: UInt64, storedAt: Date, source: String) {
        self.capability = capability
        self.size = size
        self.storedAt = storedAt
        self.source = source
    }
}
