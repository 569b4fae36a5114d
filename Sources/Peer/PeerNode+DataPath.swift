import ChunkStore
import Content
import Foundation
import Logging
import Membership
import NIOCore
import Ring
import Transport

extension PeerNode {
    /// Ring settings every peer of a network must share: the Ring defaults (1,024 tokens
    /// per peer of average capacity), the configuration p2psim measured for balance.
    static func ringConfiguration(_ replicas: Int) -> RingConfiguration {
        RingConfiguration(replicas: replicas)
    }

    /// Rebuilds the ring from the membership: alive, suspect and recently dead peers keep
    /// their place; a peer dead longer than the removal grace, or gone, has none.
    func rebuildPlacement() {
        placementRebuilds += 1
        let previous = placement.snapshot
        let next = placementSnapshot(includingSelf: true)
        placement.replace(next)
        // Healing starts when the membership knows, not at the next periodic pass.
        if previous.peers.mapValues(\.state) != next.peers.mapValues(\.state) { repairRequested = true }
    }

    /// The placement as membership stands; without this peer when `includingSelf` is false,
    /// which is the placement the others will compute once it has left (hand-off on leave).
    func placementSnapshot(includingSelf: Bool) -> PlacementSnapshot {
        let grace = Duration.seconds(configuration.network.removalGraceSeconds)
        var peers: [RingNodeID: PlacementPeer] = [:]
        var members: [RingMember] = []
        for member in membership.members {
            switch member.state {
            case .left: continue
            case .dead where now - member.since > grace: continue
            default: break
            }
            if !includingSelf && member.id == membership.localID { continue }
            guard let ringID = RingNodeID(bytes: member.id.bytes), let nodeID = NodeID(bytes: member.id.bytes) else { continue }
            members.append(RingMember(id: ringID, zone: member.record.zone, capacity: member.record.capacity))
            peers[ringID] = PlacementPeer(
                nodeID: nodeID, address: member.address, zone: member.record.zone, state: "\(member.state)",
                isSelf: member.id == membership.localID)
        }
        let ring = Ring(members: members, configuration: Self.ringConfiguration(configuration.network.replicas))
        return PlacementSnapshot(
            ring: ring, peers: peers, replicas: configuration.network.replicas, writeQuorum: configuration.network.writeQuorum)
    }

    /// Encodes files into this network: chunks are encrypted here and written to their replicas.
    public nonisolated func fileEncoder() throws -> FileEncoder {
        FileEncoder(sink: writer, cipher: try ConvergentCipher(convergenceSecret: home.convergenceSecret()))
    }

    /// Decodes files from this network, whichever peers hold their chunks.
    public nonisolated func fileDecoder() -> FileDecoder {
        FileDecoder(source: reader)
    }

    nonisolated var writer: ReplicatedWriter {
        ReplicatedWriter(placement: placement, local: local, pool: pool, logger: logger, timeout: .seconds(30))
    }

    nonisolated var reader: ReplicatedReader {
        ReplicatedReader(placement: placement, local: local, pool: pool, logger: logger, timeout: .seconds(30), hedgeDelay: .milliseconds(200))
    }

    /// Which peers hold each of `ids`, asked of every usable peer (diagnostic, `p2p locate`).
    public nonisolated func locate(_ requested: [ChunkID]) async -> [ChunkID: [NodeID]] {
        // A file may repeat a chunk; each is asked about once.
        var seen = Set<ChunkID>()
        let ids = requested.filter { seen.insert($0).inserted }
        let snapshot = placement.snapshot
        var holders: [ChunkID: [NodeID]] = [:]
        for peer in snapshot.peers.values where peer.isUsable {
            var held: [Bool] = []
            if peer.isSelf {
                held = (try? await local.has(ids)) ?? []
            } else if let connection = try? await pool.connection(to: peer),
                      let answer = try? await connection.call(PeerMethod.hasChunks, ChunkMessages.has(ids: ids), timeout: .seconds(10)) {
                held = (answer.getBytes(at: answer.readerIndex, length: answer.readableBytes) ?? []).map { $0 == 1 }
            }
            for (id, isHeld) in zip(ids, held) where isHeld { holders[id, default: []].append(peer.nodeID) }
        }
        return holders
    }

    /// Hands chunks kept for a peer that was down back to it once it is alive again, then
    /// drops the stand-in copy unless this peer is itself a replica of the chunk.
    /// Whether `nodeID` is another peer of the current placement (one a hint may be kept for).
    nonisolated func placesOther(_ nodeID: [UInt8]) -> Bool {
        guard let ringID = RingNodeID(bytes: nodeID), let peer = placement.snapshot.peers[ringID] else { return false }
        return !peer.isSelf
    }

    func handOffHints() async {
        let snapshot = placement.snapshot
        guard let peers = try? store.hintedPeers(), !peers.isEmpty else { return }
        // Peer by peer, a page at a time: hints for a peer that is down, gone or slow never
        // hold up those of the others.
        for peer in peers {
            guard let nodeID = NodeID(bytes: [UInt8](peer)), let ringID = RingNodeID(bytes: nodeID.bytes),
                  let target = snapshot.peers[ringID], target.state == "alive", !target.isSelf,
                  let hints = try? store.hints(for: peer, limit: 256) else { continue }
            await handOff(hints, to: target, snapshot: snapshot)
        }
    }

    /// Hands one alive peer's hinted chunks back; stops at its first failure (retried at
    /// the next round), so a peer that does not answer costs one timeout per round.
    private func handOff(_ hints: [HintRecord], to target: PlacementPeer, snapshot: PlacementSnapshot) async {
        for hint in hints {
            guard let id = ChunkID(bytes: hint.chunkID.bytes) else { continue }
            do {
                guard let bytes = try await local.get(id) else {
                    _ = try? store.removeHint(chunk: hint.chunkID, peer: hint.peerID)
                    continue
                }
                let connection = try await pool.connection(to: target)
                _ = try await connection.call(PeerMethod.storeChunk, ChunkMessages.store(id: id, bytes: bytes), timeout: .seconds(30))
                _ = try store.removeHint(chunk: hint.chunkID, peer: hint.peerID)
                let stillReplica = snapshot.preferenceList(for: id.bytes).contains(where: \.isSelf)
                let otherHints = (try? store.allHints(limit: .max).contains { $0.chunkID == hint.chunkID }) ?? true
                if !stillReplica && !otherHints { try await local.delete(id) }
                logger.info("handed a hinted chunk back", metadata: ["peer": "\(target.nodeID.short)", "chunk": "\(id.description.prefix(16))"])
            } catch {
                logger.debug("hint handoff failed", metadata: ["peer": "\(target.nodeID.short)", "error": "\(error)"])
                return
            }
        }
    }
}

extension PeerNode {
    /// Every chunk of a file, manifest nodes included.
    public nonisolated func chunkIDs(of capability: Capability) async throws -> [ChunkID] {
        try await fileDecoder().chunkIDs(of: capability)
    }

    /// Hints this peer keeps for peers that were down.
    public func pendingHints() -> Int {
        (try? store.allHints(limit: .max).count) ?? 0
    }
}
