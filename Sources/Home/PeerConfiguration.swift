import APIModel

/// The peer's `config.json`, written by `p2pd init`. Documented key by key in
/// docs/operations.md. Unknown keys are an error: a typo must not be silently ignored.
public struct PeerConfiguration: Codable, Sendable, Equatable {
    /// Format version of this file.
    public var version: Int = 1
    /// Address the peer listens on for other peers (TLS).
    public var listen: HostPort
    /// Address other peers should use to reach this one (defaults to `listen`).
    public var advertise: HostPort
    /// Address of the local HTTP API (127.0.0.1 unless you know why not).
    public var api: HostPort
    /// Failure domain of this machine (rack, building, city); replicas spread across zones.
    public var zone: String
    /// Bytes this peer offers for chunks.
    public var capacity: UInt64
    /// Peers to contact when starting; after the first contact no peer is special.
    public var seeds: [String]
    /// Settings fixed when the network was created; identical on every peer.
    public var network: NetworkSettings
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Seconds between two garbage-collection sweeps of this peer's store (docs/gc.md);
    /// absent in homes made before it existed (then `defaultSweepInterval`).
    public var gcIntervalSeconds: Int?
    /// Bytes of chunks read from other peers that this peer keeps for the next read
    /// (`<home>/cache`, docs/mount.md); absent: `defaultCacheBytes`.
    public var cacheBytes: UInt64?

    public static let defaultSweepInterval = 3600
    public static let defaultCacheBytes: UInt64 = 1 << 30

    /// The chunk cache's bound in force.
    public var cacheCapacity: UInt64 { cacheBytes ?? Self.defaultCacheBytes }

    /// The pause between sweeps in force.
    public var sweepInterval: Int { gcIntervalSeconds ?? Self.defaultSweepInterval }

    public init(
        listen: HostPort, advertise: HostPort, api: HostPort, zone: String, capacity: UInt64,
        seeds: [String], network: NetworkSettings, logLevel: String = "info", gcIntervalSeconds: Int? = nil,
        cacheBytes: UInt64? = nil
    ) {
        self.listen = listen
        self.advertise = advertise
        self.api = api
        self.zone = zone
        self.capacity = capacity
        self.seeds = seeds
        self.network = network
        self.logLevel = logLevel
        self.gcIntervalSeconds = gcIntervalSeconds
        self.cacheBytes = cacheBytes
    }
}
