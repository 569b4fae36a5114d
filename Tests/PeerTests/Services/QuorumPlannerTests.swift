import Content
import Testing
@testable import Peer

/// The quorum planner: which peers a write goes to, who stands in for a peer that is down,
/// how many acknowledgements it needs. Pure: a placement in, a plan out.
@Suite struct QuorumPlannerTests {
    let key = ChunkID(hashing: Array("the key".utf8)).bytes

    @Test func everyTargetUpWritesThePreferenceListWithOneSpareEach() {
        let ring = FakeRing(peers: 6)
        let snapshot = ring.snapshot(self: nil)
        let write = QuorumWrite(key: key, snapshot: snapshot)
        let list = snapshot.preferenceList(for: key)
        #expect(write.replicas.map(\.target) == list)
        #expect(write.required == 2)
        #expect(write.holders == list)
        // The spare is the first usable peer beyond the list, the same for every replica.
        let firstBeyond = snapshot.successors(for: key)[3]
        #expect(write.replicas.allSatisfy { $0.standIns == [firstBeyond] })
    }

    @Test func eachDownTargetGetsItsOwnStandInFromBeyondTheList() throws {
        let ring = FakeRing(peers: 7)
        let list = ring.snapshot(self: nil).preferenceList(for: key)
        let down = Set([try #require(ring.index(of: list[0].nodeID)), try #require(ring.index(of: list[2].nodeID))])
        let snapshot = ring.snapshot(self: nil, down: down)
        let write = QuorumWrite(key: key, snapshot: snapshot)
        let beyond = Array(snapshot.successors(for: key).dropFirst(3))
        // Reserved in list order, each for one down target; then the next spare in line.
        #expect(write.replicas[0].standIns == [beyond[0], beyond[1]])
        #expect(write.replicas[1].standIns == [beyond[1]])
        #expect(write.replicas[2].standIns == [beyond[1], beyond[2]])
        #expect(write.holders == [beyond[0], list[1], beyond[1]])
        #expect(write.required == 2)
    }

    @Test func fewerPeersThanWNeedEveryCopy() {
        #expect(QuorumWrite(key: key, snapshot: FakeRing(peers: 1).snapshot(self: nil)).required == 1)
        #expect(QuorumWrite(key: key, snapshot: FakeRing(peers: 2, replicas: 3, writeQuorum: 3).snapshot(self: nil)).required == 2)
        #expect(QuorumWrite(key: key, snapshot: FakeRing(peers: 0).snapshot(self: nil)).replicas.isEmpty)
    }

    @Test func withNoPeerBeyondTheListADownTargetHasNoStandIn() throws {
        let ring = FakeRing(peers: 3)
        let list = ring.snapshot(self: nil).preferenceList(for: key)
        let down = try #require(ring.index(of: list[1].nodeID))
        let write = QuorumWrite(key: key, snapshot: ring.snapshot(self: nil, down: [down]))
        #expect(write.replicas[1].standIns.isEmpty)
        #expect(write.holders.count == 2)
    }
}
