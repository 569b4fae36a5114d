/// How hard a sweep works (docs/gc.md): the bounds that keep it from stealing the disk and
/// the cores from puts and gets. Public so `tools/bench gc` measures a sweep as it runs.
public enum SweepLimits {
    /// Chunks one collection step removes in one transaction (the write lock is held that long).
    public static let collectionStep = 512
    /// Collection steps per second at most: 10,000 chunks a second, 2.5 GB/s of 256 KiB
    /// chunks, in bursts short enough that a get never waits behind many of them.
    public static let collectionStepsPerSecond: Double = 20
    /// Live bytes one compaction call copies (the write lock is held for it, one segment sync and one full SQLite sync).
    public static let compactionStep: UInt64 = 4 << 20
    /// Live bytes one sweep copies at most; the rest waits for the next sweep.
    public static let compactionPerSweep: UInt64 = 1 << 30
    /// The pace of compaction's copying: a segment that is all dead is unlinked at once, one
    /// half dead gives back its dead half at this rate.
    public static let compactionBytesPerSecond: Double = 16 * 1_048_576
    /// The share of time a sweep works: after each step it rests at least nineteen times
    /// as long, so that it takes at most a twentieth of one core and of the store's write
    /// lock, whatever the rates above allow. A put waits for that lock, and gets keep both
    /// cores busy (each hashes every byte it reads): a tenth, measured, cost puts 15 %.
    public static let dutyCycle = 0.05

    /// The rest a step that took `step` calls for (`dutyCycle`).
    public static func rest(after step: Duration) -> Duration {
        step * ((1 - dutyCycle) / dutyCycle)
    }
}
