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

    /// `POST` body: a new folder without `token`, the folder of `token` with it.
    public struct AddRequest: Codable, Sendable {
        public var path: String
        public var token: String?

        public init(path: String, token: String?) {
            self.path = path
            self.token = token
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
