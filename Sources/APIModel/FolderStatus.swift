/// What `p2p sync status` shows of one folder.
public struct FolderStatus: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable {
        case starting, scanning, syncing, idle, error
    }

    /// Another device of the folder, as last heard of.
    public struct Device: Sendable, Hashable, Codable {
        /// The device's NodeID (base32).
        public var id: String
        /// Sequence of its newest record applied here.
        public var sequence: UInt64
        /// Entries in its index.
        public var entries: Int
        /// When it last published a change (ms since 1970, its clock).
        public var lastChangeMilliseconds: Int64

        public init(id: String, sequence: UInt64, entries: Int, lastChangeMilliseconds: Int64) {
            self.id = id
            self.sequence = sequence
            self.entries = entries
            self.lastChangeMilliseconds = lastChangeMilliseconds
        }
    }

    public var path: String
    public var folderID: String
    /// This device's id in the folder (base32 of its per-folder key, not its NodeID): what
    /// the other devices list, and whose first 7 characters name its conflict copies.
    public var deviceID: String?
    public var state: State
    /// Files (not directories or links) present here.
    public var files: Int
    public var bytes: UInt64
    /// Changes known but not yet applied here, or made here and not yet published.
    public var pending: Int
    /// Conflict copies present in the folder.
    public var conflicts: [String]
    public var devices: [Device]
    /// The last error, if the last attempt failed.
    public var lastError: String?
    /// When this device last changed its index (ms since 1970).
    public var lastLocalChangeMilliseconds: Int64
    /// Deleted paths this device's index still holds as tombstones, and how many it dropped
    /// since the daemon started, once every device had seen them (docs/sync.md,
    /// "Tombstones"). Absent from older peers.
    public var tombstones: Int?
    public var tombstonesDropped: Int?
    /// Files this device removed when it came back from an absence longer than the
    /// retention, because the other devices had deleted them meanwhile (each kept as a
    /// version; docs/sync.md, "Away longer than the retention"). Absent from older peers.
    public var removedOnReturn: Int?

    public init(
        path: String, folderID: String, deviceID: String? = nil, state: State, files: Int, bytes: UInt64, pending: Int, conflicts: [String],
        devices: [Device], lastError: String?, lastLocalChangeMilliseconds: Int64
    ) {
        self.path = path
        self.folderID = folderID
        self.deviceID = deviceID
        self.state = state
        self.files = files
        self.bytes = bytes
        self.pending = pending
        self.conflicts = conflicts
        self.devices = devices
        self.lastError = lastError
        self.lastLocalChangeMilliseconds = lastLocalChangeMilliseconds
    }
}
