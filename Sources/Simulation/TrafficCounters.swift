/// Packets and encoded bytes the simulated peers sent.
public struct TrafficCounters: Hashable, Sendable {
    /// Bytes sent by each peer (as `MessageCodec` would encode them), lost packets included.
    public internal(set) var bytesSent: [UInt64]
    /// Every packet sent.
    public internal(set) var packetsSent = 0
    /// Packets dropped by loss or a partition.
    public internal(set) var packetsLost = 0
    /// Push-pull (full-state) packets sent.
    public internal(set) var pushPullPackets = 0
    /// Bytes of push-pull packets sent.
    public internal(set) var pushPullBytes: UInt64 = 0

    init(peers: Int) {
        bytesSent = Array(repeating: 0, count: peers)
    }

    /// Total bytes sent by all peers.
    public var totalBytes: UInt64 { bytesSent.reduce(0, +) }

    /// Clears the counters, e.g. after a warm-up.
    public mutating func reset() {
        bytesSent = Array(repeating: 0, count: bytesSent.count)
        packetsSent = 0
        packetsLost = 0
        pushPullPackets = 0
        pushPullBytes = 0
    }
}
