import Testing
import Ring

@Suite struct RingBalanceTests {
    @Test func addingOnePeerToAHundredMovesAboutOneInAHundredAndOne() {
        var fixtures = RingFixtures(seed: 21)
        let members = fixtures.members(100, zones: 10)
        let old = Ring(members: members)
        var worst = 0.0
        for trial in 0..<5 {
            let joiner = RingMember(id: fixtures.random.nextNodeID(), zone: "z\(trial)", capacity: 1 << 40)
            let new = Ring(members: members + [joiner])
            let moved = Ring.movedFraction(from: old, to: new)
            let ideal = 1.0 / 101.0
            print("ring: add 1 to 100 moved \(moved) = \(moved / ideal) × ideal")
            worst = max(worst, moved / ideal)
            // Every moved copy lands on the joiner: it is the only peer that gains.
            #expect(abs(moved - (new.replicaShares()[joiner.id] ?? 0) / 3) < 1e-9)
            let back = Ring.movedFraction(from: new, to: old)
            #expect(back <= 1.2 * ideal * 101 / 100)
        }
        #expect(worst <= 1.2)
    }

    @Test func capacityWeightsAreRespected() {
        var fixtures = RingFixtures(seed: 22)
        let small = fixtures.members(50, zones: 10, capacity: 1 << 40)
        let large = fixtures.members(50, zones: 10, capacity: 2 << 40)
        let ring = Ring(members: small + large)
        let shares = ring.replicaShares()
        let smallMean = small.map { shares[$0.id]! }.reduce(0, +) / 50
        let largeMean = large.map { shares[$0.id]! }.reduce(0, +) / 50
        print("ring: 2× capacity peers hold \(largeMean / smallMean)× the replicas of 1× peers")
        #expect(abs(largeMean / smallMean - 2) <= 0.2)
        for member in large {
            #expect(abs(shares[member.id]! / smallMean - 2) <= 0.2)
        }

        // The same, counted over 200,000 random keys.
        var counts = [RingNodeID: Int]()
        for _ in 0..<200_000 {
            for member in ring.preferenceList(forKey: fixtures.key()) { counts[member.id, default: 0] += 1 }
        }
        let smallCount = Double(small.map { counts[$0.id] ?? 0 }.reduce(0, +))
        let largeCount = Double(large.map { counts[$0.id] ?? 0 }.reduce(0, +))
        #expect(abs(largeCount / smallCount - 2) <= 0.2)
    }

    @Test func loadIsBalancedAtAThousandPeers() {
        var fixtures = RingFixtures(seed: 23)
        let ring = Ring(members: fixtures.members(1000, zones: 8))
        let replica = maxOverMean(ring.replicaShares().values)
        let primary = maxOverMean(ring.primaryShares().values)
        print("ring: 1000 peers, \(ring.tokenCount) tokens: max/mean replica load \(replica), primary \(primary)")
        #expect(replica <= 1.10)
    }

    @Test func benchmarkRuns() {
        let result = RingBenchmark.run(members: 100, lookups: 100_000)
        print(result)
        #expect(result.tokens == 100 * 1024)
        #expect(result.maxOverMeanReplicaLoad >= 1)
    }
}
