import Content
import Logging
import OpenSSLKit
import Testing
import Transport
@testable import Peer

/// Reads at distance: answer times are smoothed per peer, the read path asks the nearest
/// replica first and waits for it about twice its answer time before hedging.
@Suite struct NearestReplicaTests {
    private func peer(_ id: NodeID, _ name: String) -> PlacementPeer {
        PlacementPeer(nodeID: id, address: name, zone: "z", state: .alive, isSelf: false)
    }

    private func randomID() throws -> NodeID { try #require(NodeID(bytes: try SecureRandom.bytes(count: 32))) }

    @Test func theSmoothedFigureFollowsTCPAndTheDistanceIsTheLeastOfTheRecentAnswers() throws {
        let latencies = PeerLatencies(), id = try randomID()
        #expect(latencies.smoothed(for: id) == nil && latencies.distance(to: id) == nil)
        latencies.record(.milliseconds(80), for: id)
        #expect(latencies.smoothed(for: id) == .milliseconds(80))
        latencies.record(.milliseconds(160), for: id)
        #expect(latencies.smoothed(for: id) == .milliseconds(90))  // 7/8 × 80 + 1/8 × 160
        #expect(latencies.distance(to: id) == .milliseconds(80))
        // A busy callee's slow answers do not move it away; the fast one ages out of the window.
        for _ in 1..<PeerLatencies.window { latencies.record(.milliseconds(300), for: id) }
        #expect(latencies.distance(to: id) == .milliseconds(160))
        latencies.record(.milliseconds(300), for: id)
        #expect(latencies.distance(to: id) == .milliseconds(300))
    }

    @Test func theNearestComesFirstAndUnmeasuredPeersKeepTheirOrderAfterTheMeasured() throws {
        let latencies = PeerLatencies()
        let peers = try ["a", "b", "c", "d", "e"].map { peer(try randomID(), $0) }
        latencies.record(.milliseconds(60), for: peers[1].nodeID)
        latencies.record(.microseconds(300), for: peers[3].nodeID)
        #expect(latencies.nearestFirst(peers).map(\.address) == ["d", "b", "a", "c", "e"])
        #expect(PeerLatencies().nearestFirst(peers).map(\.address) == ["a", "b", "c", "d", "e"])
    }

    @Test func theHedgeDelayFollowsTheReplicasAnswerTimeWithinBounds() throws {
        let latencies = PeerLatencies()
        let (near, far, unknown, hopeless) = (try randomID(), try randomID(), try randomID(), try randomID())
        latencies.record(.microseconds(200), for: near)
        latencies.record(.milliseconds(100), for: far)
        latencies.record(.seconds(30), for: hopeless)
        #expect(latencies.hedgeDelay(for: near, fallback: .seconds(1)) == .microseconds(20_400))
        #expect(latencies.hedgeDelay(for: far, fallback: .seconds(1)) == .milliseconds(220))
        #expect(latencies.hedgeDelay(for: unknown, fallback: .milliseconds(200)) == .milliseconds(200))
        #expect(latencies.hedgeDelay(for: hopeless, fallback: .milliseconds(200)) == PeerLatencies.longestHedgeDelay)
    }

    @Test func aReadAsksTheNearestReplicaAndOnlyIt() async throws {
        let ring = FakeRing(peers: 5)
        let bytes = try SecureRandom.bytes(count: 1000), id = ChunkID(hashing: bytes)
        let snapshot = ring.snapshot(self: nil)
        let owners = ring.owners(of: id, in: snapshot)
        for owner in owners { try await ring.stores[owner].put(id, bytes) }
        // The last replica in ring order is the nearest; the others are a continent away.
        let latencies = PeerLatencies()
        for (rank, owner) in owners.enumerated() {
            latencies.record(rank == owners.count - 1 ? .microseconds(300) : .milliseconds(100), for: ring.ids[owner])
        }
        let client = try randomID()
        let fetched = try await withBackground { background in
            let reader = ReplicatedReader(
                placement: Placement(snapshot), local: MemoryChunks(), calls: ring.network.peer(client), background: background,
                logger: Logger(label: "test"), timeout: .seconds(5), hedgeDelay: .seconds(5), latencies: latencies)
            return try await reader.fetch(id: id)
        }
        #expect(fetched == bytes)
        let fetches = ring.network.calls.withLock { $0.filter { $0.method == .fetchChunk }.map(\.address) }
        #expect(fetches == [ring.addresses[owners.last!]])
    }
}
