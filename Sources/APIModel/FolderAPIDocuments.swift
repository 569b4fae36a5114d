import Foundation

/// The JSON documents of `/v1/sync/folders` (docs/api.md), shared by the server and `p2p`.
public enum FolderAPIDocuments {
    /// A folder's path as every document names it: standardized, without a trailing slash,
    /// so the server and `p2p` compare the same text.
    public static func normalizedPath(_ path: String) -> String {
        var path = (path as NSString).standardizingPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `POST` body: a new folder without `token`, the folder of `token` with it; versions
    /// kept `retentionSeconds` (default `defaultRetentionSeconds`).
    public struct AddRequest: Codable, Sendable {
        public var path: String
        public var token: String?
        public var retentionSeconds: Int?
        /// Follow the folder of `token` without writing to `path` (`p2p mount --folder`).
        public var onDemand: Bool?

        public init(path: String, token: String?, retentionSeconds: Int? = nil, onDemand: Bool? = nil) {
            self.path = path
            self.token = token
            self.retentionSeconds = retentionSeconds
            self.onDemand = onDemand
        }
    }

    /// How long a folder keeps old versions and deleted files unless told otherwise: 30 days.
    public static let defaultRetentionSeconds = 30 * 86_400

    /// One version of a file of a synced folder (`GET /v1/sync/folders/versions`).
    public struct Version: Codable, Sendable, Hashable {
        /// Relative to the folder root.
        public var path: String
        /// The capability that reads this version (a secret, like the folder's token).
        public var capability: String
        public var size: UInt64
        public var mode: UInt32
        public var modifiedNanoseconds: Int64
        /// Short id of the device that made it.
        public var modifiedBy: String
        /// When this device saw it replaced (ms since 1970); nil for the current version.
        public var supersededMilliseconds: Int64?
        /// Whether what replaced it was a deletion.
        public var deleted: Bool

        public init(
            path: String, capability: String, size: UInt64, mode: UInt32, modifiedNanoseconds: Int64, modifiedBy: String,
            supersededMilliseconds: Int64?, deleted: Bool
        ) {
            self.path = path
            self.capability = capability
            self.size = size
            self.mode = mode
            self.modifiedNanoseconds = modifiedNanoseconds
            self.modifiedBy = modifiedBy
            self.supersededMilliseconds = supersededMilliseconds
            self.deleted = deleted
        }
    }

    /// `GET /v1/sync/folders/versions?path=/abs/dir/file` answer: the current version (if the
    /// file exists) first, then older ones, newest first, within the folder's retention.
    public struct Versions: Codable, Sendable {
        public var path: String
        public var folder: String
        public var retentionSeconds: Int
        public var versions: [Version]

        public init(path: String, folder: String, retentionSeconds: Int, versions: [Version]) {
            self.path = path
            self.folder = folder
            self.retentionSeconds = retentionSeconds
            self.versions = versions
        }
    }

    /// `POST /v1/sync/folders/restore?path=/abs/dir/file[&at=ms]` answer: the version written
    /// back, now the file's newest version on every device.
    public struct Restored: Codable, Sendable {
        public var path: String
        public var restored: Version

        public init(path: String, restored: Version) {
            self.path = path
            self.restored = restored
        }
    }

    /// `POST` answer.
    public struct Added: Codable, Sendable {
        public var path: String
        public var folder: String
        public var token: String
        /// True when the call made a new folder (and its token is new).
        public var created: Bool

        public init(path: String, folder: String, token: String, created: Bool) {
            self.path = path
            self.folder = folder
            self.token = token
            self.created = created
        }
    }

    /// `GET` answer.
    public struct Listing: Codable, Sendable {
        public var folders: [FolderStatus]

        public init(folders: [FolderStatus]) {
            self.folders = folders
        }
    }

    /// `DELETE` answer.
    public struct Removed: Codable, Sendable {
        public var removed: String

        public init(removed: String) {
            self.removed = removed
        }
    }

    /// `GET /v1/sync/folders/tree?folder=PATH-OR-ID`: the merged tree of a folder, every
    /// device's newest state without deletions, in path order (`p2p mount --folder`).
    public struct Tree: Codable, Sendable, Equatable {
        public struct Entry: Codable, Sendable, Equatable {
            /// Relative, `/`-separated.
            public var path: String
            /// "file", "directory" or "symlink".
            public var type: String
            public var mode: UInt32
            public var mtimeNanoseconds: Int64
            public var size: UInt64
            /// A file's capability.
            public var cap: String?
            /// A symlink's target.
            public var target: String?

            public init(path: String, type: String, mode: UInt32, mtimeNanoseconds: Int64, size: UInt64, cap: String?, target: String?) {
                self.path = path
                self.type = type
                self.mode = mode
                self.mtimeNanoseconds = mtimeNanoseconds
                self.size = size
                self.cap = cap
                self.target = target
            }
        }

        public var folder: String
        /// Changes whenever the tree may have (a fingerprint of the devices' index versions):
        /// a client that saw this generation has it all.
        public var generation: UInt64
        public var entries: [Entry]
        /// True when asked `since` the current generation: `entries` is then left empty.
        public var unchanged: Bool?

        public init(folder: String, generation: UInt64, entries: [Entry], unchanged: Bool? = nil) {
            self.folder = folder
            self.generation = generation
            self.entries = entries
            self.unchanged = unchanged
        }
    }

    /// `POST /v1/sync/folders/rescan` answer: how long the scan took.
    public struct Rescanned: Codable, Sendable {
        public var path: String
        public var seconds: Double

        public init(path: String, seconds: Double) {
            self.path = path
            self.seconds = seconds
        }
    }
}
