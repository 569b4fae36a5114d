/// A directory stored in the network (`POST /v1/dirs`, `GET /v1/dirs/{cap}`): its entries,
/// each a file or a directory by capability, or a symlink by its target text. What
/// `p2p put -r`, `p2p get -r` and `p2p ls CAP` exchange with the local peer.
public struct DirectoryDocument: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// One path component: UTF-8, no "/", no NUL, not "." or "..".
        public var name: String
        /// "file", "directory" or "symlink".
        public var type: String
        /// Permission bits (`0o777` at most are kept).
        public var mode: UInt32
        /// Modification time, nanoseconds since 1970.
        public var mtimeNanoseconds: Int64
        /// Bytes of a file; 0 for a directory; the target's length for a symlink.
        public var size: UInt64
        /// The capability of a file or directory.
        public var cap: String?
        /// A symlink's target, as text: never followed.
        public var target: String?

        public init(name: String, type: String, mode: UInt32, mtimeNanoseconds: Int64, size: UInt64, cap: String? = nil, target: String? = nil) {
            self.name = name
            self.type = type
            self.mode = mode
            self.mtimeNanoseconds = mtimeNanoseconds
            self.size = size
            self.cap = cap
            self.target = target
        }
    }

    /// Sorted by the bytes of their names when they come from the network.
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }
}
