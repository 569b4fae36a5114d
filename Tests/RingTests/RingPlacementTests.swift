import Testing
@testable import Ring

@Suite struct RingPlacementTests {
    @Test func sipHashMatchesReferenceVector() {
        // Appendix A of the SipHash paper: key 00..0f, message 00..0e.
        let key0 = UInt64(littleEndian: 0x0706_0504_0302_0100)
        let key1 = UInt64(littleEndian: 0x0f0e_0d0c_0b0a_0908)
        let hash = SipHash24(k0: key0, k1: key1).hash((0..<15).map { UInt8($0) })
        #expect(hash == 0xa129_ca61_49be_45e5)
    }

    @Test func positionIsFirstEightBytesBigEndian() {
        #expect(Ring.position(ofKey: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 0x0102_0304_0506_0708)
        #expect(Ring.position(ofKey: [0xff]) == 0xff00_0000_0000_0000)
        #expect(Ring.position(ofKey: [UInt8]()) == 0)
    }

    @Test func sameMembersInAnyOrderGiveTheSameRing() {
        var fixtures = RingFixtures(seed: 7)
        let members = fixtures.members(60, zones: 5)
        let a = Ring(members: members)
        let b = Ring(members: members.shuffled(using: &fixtures.random))
        let c = Ring(members: (members + members.prefix(10)).reversed())
        #expect(a.positions == b.positions && a.positions == c.positions)
        for _ in 0..<5_000 {
            let key = fixtures.key()
            let expected = a.preferenceList(forKey: key)
            #expect(b.preferenceList(forKey: key) == expected)
            #expect(c.preferenceList(forKey: key) == expected)
        }
    }

    @Test func replicasGoToDistinctZonesWhenEnoughZonesExist() {
        var fixtures = RingFixtures(seed: 11)
        let ring = Ring(members: fixtures.members(40, zones: 4))
        for _ in 0..<20_000 {
            let list = ring.preferenceList(forKey: fixtures.key())
            #expect(list.count == 3)
            #expect(Set(list.map(\.zone)).count == 3)
            #expect(Set(list.map(\.id)).count == 3)
        }
    }

    @Test func fewerZonesThanReplicasUsesEveryZoneThenFills() {
        var fixtures = RingFixtures(seed: 12)
        let ring = Ring(members: fixtures.members(20, zones: 2), configuration: RingConfiguration(replicas: 4))
        for _ in 0..<10_000 {
            let list = ring.preferenceList(forKey: fixtures.key())
            #expect(list.count == 4)
            #expect(Set(list.map(\.zone)).count == 2)
            #expect(Set(list.map(\.id)).count == 4)
        }
    }

    @Test func fewerPeersThanReplicasGivesAllPeers() {
        var fixtures = RingFixtures(seed: 13)
        let members = fixtures.members(2, zones: 1)
        let ring = Ring(members: members)
        #expect(ring.preferenceListLength == 2)
        let list = ring.preferenceList(forKey: fixtures.key())
        #expect(Set(list.map(\.id)) == Set(members.map(\.id)))
        #expect(Ring(members: []).preferenceList(forKey: fixtures.key()).isEmpty)
        #expect(Ring(members: []).primary(forKey: fixtures.key()) == nil)
    }

    @Test func zeroCapacityMembersHoldNothing() {
        var fixtures = RingFixtures(seed: 14)
        var members = fixtures.members(5, zones: 5)
        members[0].capacity = 0
        let ring = Ring(members: members)
        #expect(ring.tokenCount(of: members[0].id) == 0)
        #expect(ring.replicaShares()[members[0].id] == nil)
        for _ in 0..<2_000 {
            #expect(!ring.preferenceList(forKey: fixtures.key()).contains(members[0]))
        }
    }

    @Test func preferenceListIsInRingOrderAndMatchesAWalk() {
        var fixtures = RingFixtures(seed: 15)
        let ring = Ring(members: fixtures.members(12, zones: 3), configuration: RingConfiguration(tokensPerPeer: 16))
        for _ in 0..<2_000 {
            let key = fixtures.key()
            #expect(ring.preferenceList(forKey: key) == naivePreferenceList(ring, key: key))
        }
    }

    @Test func successorsExtendThePreferenceListWithDistinctPeers() {
        var fixtures = RingFixtures(seed: 16)
        let ring = Ring(members: fixtures.members(10, zones: 5))
        let key = fixtures.key()
        let list = ring.preferenceList(forKey: key)
        let successors = ring.successors(forKey: key, count: 7)
        #expect(Array(successors.prefix(3)) == list)
        #expect(successors.count == 7 && Set(successors.map(\.id)).count == 7)
        #expect(ring.successors(forKey: key, count: 50).count == 10)
        #expect(ring.primary(forKey: key) == list.first)
    }

    /// The definition, walked token by token: first the nearest member of each new
    /// zone, then the nearest remaining members, listed in ring order.
    private func naivePreferenceList(_ ring: Ring, key: [UInt8]) -> [RingMember] {
        let start = ring.tokenIndex(for: Ring.position(ofKey: key))
        var walk = [UInt32]()
        for step in 0..<ring.tokenCount {
            let owner = ring.owners[(start + step) % ring.tokenCount]
            if !walk.contains(owner) { walk.append(owner) }
        }
        var zones = Set<String>()
        var picked = [UInt32]()
        for member in walk where picked.count < ring.preferenceListLength {
            if zones.insert(ring.members[Int(member)].zone).inserted { picked.append(member) }
        }
        for member in walk where picked.count < ring.preferenceListLength && !picked.contains(member) {
            picked.append(member)
        }
        return walk.filter { picked.contains($0) }.map { ring.members[Int($0)] }
    }
}
