/// How this peer collects garbage (docs/gc.md): set by `p2pd init --gc-grace` and
/// `--gc-interval`, kept in `config.json` under `gc`. Each peer sweeps its own store, so
/// these are per peer, not fixed by the network.
public struct CollectionSettings: Codable, Sendable, Equatable {
    /// How long a chunk whose last lease ended is kept before a sweep may remove it.
    public var graceSeconds: Int
    /// Pause between two sweeps.
    public var sweepIntervalSeconds: Int

    public init(graceSeconds: Int = 48 * 3600, sweepIntervalSeconds: Int = 3600) {
        self.graceSeconds = graceSeconds
        self.sweepIntervalSeconds = sweepIntervalSeconds
    }

    /// What is wrong with these settings, for `p2pd init`; nil when they are usable.
    public var problem: String? {
        if graceSeconds < 1 { return "--gc-grace must be positive" }
        if sweepIntervalSeconds < 1 { return "--gc-interval must be positive" }
        return nil
    }
}
