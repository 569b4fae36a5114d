/// Rates and periods of the self-healing loops (repair and scrub). The defaults suit a
/// production peer; tests shorten the periods. Every rate is an upper bound, so healing
/// never starves puts and gets of disk or network.
public struct RepairConfiguration: Sendable, Equatable {
    /// Pause between the end of one repair pass over the local chunks and the next.
    public var passInterval: Duration
    /// Chunks per page: one `hasChunks` batch per preference list and page.
    public var pageSize: Int
    /// Upper bound on pages read from the index per second (disk reads of metadata and RPCs).
    public var pagesPerSecond: Double
    /// Upper bound on chunk bytes pushed to other peers per second (network and disk reads).
    public var bytesPerSecond: Double
    /// Upper bound on chunk bytes re-hashed by scrub per second.
    public var scrubBytesPerSecond: Double
    /// A chunk verified more recently than this is not re-hashed yet; scrub idles instead.
    public var scrubPeriod: Duration
    /// Chunks scrub takes from the index at a time.
    public var scrubBatch: Int
    /// Whether the loops run at all (benchmarks and some tests turn them off).
    public var isEnabled: Bool

    public init(
        passInterval: Duration = .seconds(60), pageSize: Int = 256, pagesPerSecond: Double = 20,
        bytesPerSecond: Double = 128 * 1024 * 1024, scrubBytesPerSecond: Double = 16 * 1024 * 1024,
        scrubPeriod: Duration = .seconds(7 * 24 * 3600), scrubBatch: Int = 64, isEnabled: Bool = true
    ) {
        self.passInterval = passInterval
        self.pageSize = max(1, min(pageSize, ChunkMessages.maximumBatch))
        self.pagesPerSecond = pagesPerSecond
        self.bytesPerSecond = bytesPerSecond
        self.scrubBytesPerSecond = scrubBytesPerSecond
        self.scrubPeriod = scrubPeriod
        self.scrubBatch = max(1, scrubBatch)
        self.isEnabled = isEnabled
    }
}
