import APIModel
import ChunkStore
import Foundation
import Logging
import Membership
import NIOCore
import Transport

extension PeerNode {
    /// Interval between announcements of this peer's used bytes and chunk count; each
    /// announcement raises the incarnation, so it is kept rare.
    static let metaInterval = Duration.seconds(30)

    /// Feeds a packet from an admitted peer (sender already checked) to the state machine.
    func receive(_ packet: MembershipPacket) {
        guard !isStopped else { return }
        perform(membership.receive(packet, now: now))
    }

    /// Carries out what the membership state machine asked for. The placement is
    /// rebuilt once per batch, however many members changed in it.
    func perform(_ actions: [MembershipAction]) {
        guard !isStopped else { return }
        var changed = false
        for action in actions {
            switch action {
            case .send(let packet, let endpoint):
                let bytes = MessageCodec.encode(packet)
                let expected = endpoint.id.flatMap { NodeID(bytes: $0.bytes) }
                Task { await self.deliver(bytes, to: endpoint.address, expecting: expected) }
            case .memberChanged(let event):
                if event.member.id != membership.localID { changed = true }
                record(event)
            case .memberForgotten(let id):
                _ = try? store.removePeer(Data(id.bytes))
            }
        }
        if changed { rebuildPlacement() }
    }

    /// Sends one packet; a lost packet is what SWIM expects, so failures are only logged.
    /// `expected` is the member the packet is for (`nil` for a seed not known yet):
    /// whoever answers at the address must be that member.
    nonisolated func deliver(_ bytes: [UInt8], to address: String, expecting expected: NodeID?) async {
        do {
            let connection = try await pool.connection(to: address, expecting: expected)
            _ = try await connection.call(PeerMethod.membership, ByteBuffer(bytes: bytes), timeout: .seconds(2))
        } catch {
            logger.trace("membership packet not delivered", metadata: ["address": "\(address)", "error": "\(error)"])
        }
    }

    private func record(_ event: MembershipEvent) {
        let member = event.member
        guard member.id != membership.localID else { return }
        let short = NodeID(bytes: member.id.bytes)?.short ?? "?"
        logger.info("member \(member.state)", metadata: [
            "peer": "\(short)", "address": "\(member.address)", "incarnation": "\(member.incarnation)",
            "was": "\(event.previousState.map { "\($0)" } ?? "unknown")",
        ])
        let state: PeerRecord.State = switch member.state {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        }
        let peer = PeerRecord(
            nodeID: Data(member.id.bytes), address: member.address, zone: member.record.zone,
            capacity: Int64(clamping: member.record.capacity), incarnation: Int64(clamping: member.incarnation),
            state: state, lastSeen: Date())
        do {
            try store.upsertPeer(peer)
        } catch {
            logger.warning("cannot save the address book", metadata: ["error": "\(error)"])
        }
    }

    func refreshMetaIfDue() {
        guard now - lastMetaUpdateTime >= Self.metaInterval else { return }
        lastMetaUpdateTime = now
        let usage = store.usage
        let meta = MemberMeta(usedBytes: usage.used, chunkCount: UInt64(usage.count))
        guard meta != membership.localMember.record.meta else { return }
        perform(membership.updateMeta(meta, now: now))
    }

    /// This peer's view of the network.
    public func status() -> NodeStatus {
        let usage = store.usage
        let peers = membership.members.map { member -> NodeStatus.PeerEntry in
            let isSelf = member.id == membership.localID
            return NodeStatus.PeerEntry(
                nodeID: NodeID(bytes: member.id.bytes)?.description ?? "?", address: member.address, zone: member.record.zone,
                state: "\(member.state)", incarnation: member.incarnation,
                usedBytes: isSelf ? usage.used : member.record.meta.usedBytes, capacityBytes: member.record.capacity,
                chunkCount: isSelf ? UInt64(usage.count) : member.record.meta.chunkCount, isSelf: isSelf)
        }
        var status = NodeStatus(node: credentials.nodeID.description, network: configuration.network, peers: peers.sorted { $0.nodeID < $1.nodeID })
        status.durability = durability
        return status
    }
}
