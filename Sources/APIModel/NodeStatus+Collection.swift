extension NodeStatus {
    /// Garbage collection on this peer (docs/gc.md): what its store holds by lease state,
    /// what its sweeps reclaimed, and what its last renewal of its own leases cost.
    public struct Collection: Codable, Sendable, Equatable {
        /// The settings in force: grace, pause between sweeps, renewal interval, lease length.
        public var graceSeconds: Int = 0
        public var sweepIntervalSeconds: Int = 0
        public var renewalIntervalSeconds: Int = 0
        public var leaseSeconds: Int = 0
        /// Bytes of chunks with a live lease; of chunks past the grace (the next sweep's);
        /// of chunks whose last lease ended within the grace. As of the last sweep.
        public var referencedBytes: UInt64 = 0
        public var collectableBytes: UInt64 = 0
        public var inGraceBytes: UInt64 = 0
        /// Sweeps completed since the peer started, and what they removed.
        public var sweeps: Int = 0
        public var reclaimedChunks: Int = 0
        public var reclaimedBytes: UInt64 = 0
        /// Compaction by the sweeps: live bytes copied out of mostly dead segments, segment
        /// files unlinked and their bytes.
        public var compactedBytes: UInt64 = 0
        public var segmentsRemoved: Int = 0
        public var freedBytes: UInt64 = 0
        /// The store's segment files after the last sweep: their bytes on disk, and how many
        /// of those are dead (removed chunks not compacted yet).
        public var onDiskBytes: UInt64 = 0
        public var deadBytes: UInt64 = 0
        /// When the last sweep ended (seconds since 1970) and how long it took.
        public var lastSweepEnded: Double?
        public var lastSweepSeconds: Double = 0
        /// Files this peer owns (`p2p ls`).
        public var ownedFiles: Int = 0
        /// Renewal rounds completed; the last one's chunks, requests and payload bytes sent.
        public var renewals: Int = 0
        public var lastRenewalChunks: Int = 0
        public var lastRenewalRequests: Int = 0
        public var lastRenewalBytesSent: UInt64 = 0

        public init() {}
    }
}
