import ChunkStore
import Content
import Foundation
import NIOCore
import OpenSSLKit
@testable import Peer
import Testing
import Transport

/// Hints and record leases that an admitted peer could make a holder keep for ever, or
/// that could stall the hand-off of everyone else's: refused, bypassed, pruned.
@Suite(.serialized) struct HintAndLeaseTests {
    @Test func aHintForAPeerOffTheRingIsRefusedAndStuckHintsDoNotBlockOthers() async throws {
        let cluster = try await InProcessCluster.start(peers: 3)
        #expect(await cluster.waitUntilAllSee(alive: 3))
        let holder = cluster.nodes[0], returning = cluster.nodes[1]
        let store = await holder.store
        let bytes = try SecureRandom.bytes(count: 4096)
        let id = ChunkID(hashing: bytes)

        // Over RPC: a stand-in for a NodeID that is not on the ring is refused; for a member, kept.
        let connection = try await returning.pool.connection(to: holder.configuration.advertise.description, expecting: holder.nodeID)
        let stranger = try SecureRandom.bytes(count: 32)
        await #expect(throws: TransportError.self) {
            _ = try await connection.call(PeerMethod.storeChunk, ChunkMessages.store(id: id, bytes: bytes, hintFor: stranger), timeout: .seconds(5))
        }
        #expect(try store.hintedPeers().isEmpty)

        // 300 hints for peers that will never answer, made first, then one for a live member.
        _ = try await holder.local.put(id, bytes)
        for _ in 0..<300 {
            try store.addHint(chunk: StoredChunkID(bytes: id.bytes)!, peer: Data(try SecureRandom.bytes(count: 32)))
        }
        let waiting = try SecureRandom.bytes(count: 8192)
        let waitingID = ChunkID(hashing: waiting)
        _ = try await holder.local.put(waitingID, waiting)
        try store.addHint(chunk: StoredChunkID(bytes: waitingID.bytes)!, peer: Data(returning.nodeID.bytes), at: Date().addingTimeInterval(60))
        #expect(await cluster.waitUntil(timeout: .seconds(20)) {
            await returning.holdsLocally([waitingID]) == [true] && (try? store.hints(for: Data(returning.nodeID.bytes)).isEmpty) == true
        })
        await cluster.stop()
    }

    @Test func expiredLeasesAreDroppedOnTheHoldersOwnSchedule() throws {
        let leases = RecordLeases()
        let start = ContinuousClock.now
        let vanished = try NodeID(bytes: SecureRandom.bytes(count: 32))!
        for index in 0..<RecordLeases.maximumPerSubscriber {
            #expect(leases.grant(key: [UInt8(index & 0xFF), UInt8(index >> 8)] + [UInt8](repeating: 0, count: 30), to: vanished, for: .seconds(90), now: start))
        }
        #expect(leases.count == RecordLeases.maximumPerSubscriber)
        // No key is ever written again, so no `subscribers(of:)` prunes them: the schedule does.
        leases.pruneExpired(now: start + .seconds(60))
        #expect(leases.count == RecordLeases.maximumPerSubscriber)
        leases.pruneExpired(now: start + .seconds(91))
        #expect(leases.count == 0)
        // A subscriber at its bound gets a new lease once its old ones have run out.
        for index in 0..<RecordLeases.maximumPerSubscriber {
            _ = leases.grant(key: [UInt8(index & 0xFF), UInt8(index >> 8), 1] + [UInt8](repeating: 0, count: 29), to: vanished, for: .seconds(1), now: start)
        }
        #expect(leases.grant(key: [UInt8](repeating: 9, count: 32), to: vanished, for: .seconds(90), now: start + .seconds(2)))
        #expect(leases.count == 1)
    }
}
