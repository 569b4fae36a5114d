import APIModel
import Membership
import Transport

/// What the node tells its API: the status document and the gauges.
extension PeerNode {
    /// This peer's view of the network, its durability figures and its workers.
    public func status() async -> NodeStatus {
        let usage = store.usage
        let members = await membership.members
        let localID = await membership.localMember.id
        let removals = await membership.removals, revoked = await membership.revoked
        let onProbation = await membership.onProbation
        let answerTimes = chunks.latencies.distances
        let peers = members.filter { !revoked.contains($0.id) }.map { member -> NodeStatus.PeerEntry in
            let isSelf = member.id == localID
            // A failed member an operator removed shows as such (`p2p peer remove`), an alive
            // one heard of only from others as `unconfirmed` until it answers.
            let removed = MembershipDriver.isRemoved(member, removals)
            let state = removed ? "removed" : member.state == .alive && onProbation.contains(member.id) ? "unconfirmed" : "\(member.state)"
            var entry = NodeStatus.PeerEntry(
                nodeID: NodeID(member.id).description, address: member.address, zone: member.record.zone,
                state: state, incarnation: member.incarnation,
                usedBytes: isSelf ? usage.used : member.record.meta.usedBytes, capacityBytes: member.record.capacity,
                chunkCount: isSelf ? UInt64(usage.count) : member.record.meta.chunkCount, isSelf: isSelf)
            entry.answerMilliseconds = answerTimes[NodeID(member.id)].map { ($0 / .microseconds(1)).rounded() / 1000 }
            return entry
        }
        var status = NodeStatus(node: credentials.nodeID.description, network: configuration.network, peers: peers.sorted { $0.nodeID < $1.nodeID })
        status.durability = durability.current
        status.workers = workers.entries
        status.gc = collector.ledger.current
        return status
    }

    /// Sets the gauges from the node's current view; called before each scrape.
    public func refreshMetrics() async {
        let usage = store.usage
        var byState: [String: Int] = [:]
        for member in await membership.members { byState["\(member.state)", default: 0] += 1 }
        metrics.update(
            peersByState: byState, chunkCount: UInt64(usage.count), usedBytes: usage.used,
            capacityBytes: configuration.capacity, pendingHints: await pendingHints())
        metrics.update(durability: durability.current)
        metrics.update(collection: collector.ledger.current)
    }

    /// How many times the placement was rebuilt (tests: a flood of members must not turn
    /// into a flood of ring builds).
    public var placementRebuilds: Int {
        get async { await membership.placementRebuilds }
    }
}
