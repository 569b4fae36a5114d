/// How often a folder session looks for changes. Defaults suit people; tests shorten them.
public struct SyncTiming: Sendable {
    /// Quiet time after a file-system event before scanning, so a burst is one scan.
    public var debounce: Duration = .milliseconds(100)
    /// How often other devices' records are polled when no notification came.
    public var pollInterval: Duration = .seconds(10)
    /// How often the whole folder is rescanned when inotify said nothing.
    public var rescanInterval: Duration = .seconds(60)
    /// How often this device republishes its record even when nothing changed, so it
    /// reaches peers that joined or missed it.
    public var republishInterval: Duration = .seconds(600)
    /// How long a tombstone must have been seen by every known device, round after round,
    /// before it leaves the index: time for a device that has just applied the path, and
    /// not yet published, to show up (docs/sync.md, "Tombstones").
    public var tombstoneDelay: Duration = .seconds(600)

    public init() {}

    /// How long a device may stay silent before the others treat it as **away**
    /// (docs/sync.md, "Away longer than the retention"), in milliseconds: the folder's
    /// retention, and never less than three republish intervals, so a quiet device that
    /// runs is never away.
    public func awayAfterMilliseconds(retentionSeconds: Int) -> Int64 {
        let retention = Int64(clamping: retentionSeconds).multipliedReportingOverflow(by: 1000)
        return max(retention.overflow ? .max : retention.partialValue, 3 * Int64(republishInterval / .milliseconds(1)))
    }
}
