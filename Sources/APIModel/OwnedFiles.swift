/// The answer to `GET /v1/files` (`p2p ls`): the files this peer stored as their owner,
/// oldest first. It keeps their chunks until they are removed (`p2p rm`).
public struct OwnedFiles: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        /// The capability that reads it (a secret: whoever has it reads the file).
        public var cap: String
        /// Plaintext bytes.
        public var size: UInt64
        /// When it was first stored, in seconds since 1970.
        public var storedAt: Double
        /// `put`; `put -r` (a tree's directory listing), `put -r root` (the root a `put -r`
        /// printed), `put -r file` (a tree's file); `s3`; or `folder:` and the synced folder.
        public var source: String

        /// The source of a tree's files (the engine's `OwnedFile.treeFileSource`).
        public static let treeFileSource = "put -r file"

        public init(cap: String, size: UInt64, storedAt: Double, source: String) {
            self.cap = cap
            self.size = size
            self.storedAt = storedAt
            self.source = source
        }
    }

    public var files: [File]

    public init(files: [File]) {
        self.files = files
    }
}

/// The answer to `DELETE /v1/files/{cap}` (`p2p rm`).
public struct RemovedFile: Codable, Sendable, Equatable {
    public var cap: String
    /// Chunks whose leases this owner released (those no other file of its own uses).
    public var releasedChunks: Int
    /// Peers that could not be told; their copies go when the lease runs out.
    public var unreachablePeers: Int
    /// For a tree (`p2p put -r`): the files and directories it gave up — those no other
    /// tree of this peer uses (docs/gc.md, "Trees"). Absent for a file, and from older peers.
    public var files: Int?
    public var directories: Int?

    public init(cap: String, releasedChunks: Int, unreachablePeers: Int, files: Int? = nil, directories: Int? = nil) {
        self.cap = cap
        self.releasedChunks = releasedChunks
        self.unreachablePeers = unreachablePeers
        self.files = files
        self.directories = directories
    }
}
