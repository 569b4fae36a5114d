extension PeerNode {
    /// Sets the gauges from the node's current view; called before each scrape.
    public func refreshMetrics() {
        let usage = store.usage
        var byState: [String: Int] = [:]
        for member in membership.members { byState["\(member.state)", default: 0] += 1 }
        metrics.update(
            peersByState: byState, chunkCount: UInt64(usage.count), usedBytes: usage.used,
            capacityBytes: configuration.capacity, pendingHints: (try? store.hintCount()) ?? 0)
        metrics.update(durability: durability)
    }
}
