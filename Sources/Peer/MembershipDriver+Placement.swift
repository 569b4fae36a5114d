import Membership
import Ring
import Transport

extension MembershipDriver {
    /// Ring settings every peer of a network must share: the Ring defaults (1,024 tokens
    /// per peer of average capacity), the configuration p2psim measured for balance.
    static func ringConfiguration(_ replicas: Int) -> RingConfiguration {
        RingConfiguration(replicas: replicas)
    }

    /// Rebuilds the ring from the membership: alive, suspect and recently dead peers keep
    /// their place; a peer dead longer than the removal grace, removed by an operator,
    /// gone, or on probation (heard of only from a third party), has none.
    func rebuildPlacement() {
        placementRebuilds += 1
        let previous = placement.snapshot
        let next = placementSnapshot(includingSelf: true)
        placement.replace(next)
        // Healing starts when the membership knows, not at the next periodic pass.
        if previous.peers.mapValues(\.state) != next.peers.mapValues(\.state) { placementChanged.fire() }
    }

    /// The placement as membership stands; without this peer when `includingSelf` is false,
    /// which is the placement the others will compute once it has left (hand-off on leave).
    func placementSnapshot(includingSelf: Bool) -> PlacementSnapshot {
        let grace = Duration.seconds(network.removalGraceSeconds)
        let localID = localMember.id
        var peers: [RingNodeID: PlacementPeer] = [:]
        var members: [RingMember] = []
        let onProbation = self.onProbation
        for member in self.members where !revoked.contains(member.id) && !onProbation.contains(member.id) {
            let state: PlacementPeer.State
            switch member.state {
            case .left: continue
            case .dead where now - member.since > grace || isRemoved(member): continue
            case .suspect where isRemoved(member): continue
            case .dead: state = .dead
            case .suspect: state = .suspect
            case .alive: state = .alive
            }
            if !includingSelf && member.id == localID { continue }
            let ringID: RingNodeID = member.id, nodeID = NodeID(member.id)
            members.append(RingMember(id: ringID, zone: member.record.zone, capacity: member.record.capacity))
            peers[ringID] = PlacementPeer(
                nodeID: nodeID, address: member.address, zone: member.record.zone, state: state, isSelf: member.id == localID)
        }
        let ring = Ring(members: members, configuration: Self.ringConfiguration(network.replicas))
        return PlacementSnapshot(ring: ring, peers: peers, replicas: network.replicas, writeQuorum: network.writeQuorum)
    }
}
