import Membership
import Simulation
import Testing

@Suite struct SimulationRunTests {
    private func detection(peers: Int, loss: Double, seed: UInt64) -> DetectionExperiment.Result {
        var settings = DetectionExperiment.Settings(peers: peers, lossRate: loss)
        settings.crashes = 2
        settings.measured = .seconds(60)
        settings.seed = seed
        return DetectionExperiment(settings).run()
    }

    @Test func theSameSeedGivesTheSameRun() {
        let first = detection(peers: 40, loss: 0.05, seed: 7)
        let second = detection(peers: 40, loss: 0.05, seed: 7)
        #expect(first == second)
        let other = detection(peers: 40, loss: 0.05, seed: 8)
        #expect(other != first)

        var durability = DurabilityExperiment.Settings()
        durability.peers = 100
        durability.chunks = 2_000
        durability.span = .seconds(7 * 24 * 3600)
        durability.churnPerHour = 0.02
        durability.repairParallelism = 1
        #expect(DurabilityExperiment(durability).run() == DurabilityExperiment(durability).run())
    }

    @Test func twoHundredPeersBalanceDetectACrashAndSurviveFivePercentLoss() {
        var balance = BalanceExperiment.Settings(peers: 200, profile: .uniform)
        balance.trials = 1
        let placed = BalanceExperiment(balance).run()
        #expect(placed.maxOverMean <= 1.15)
        #expect(placed.joinMovedOverIdeal.allSatisfy { $0 <= 1.2 })

        let run = detection(peers: 200, loss: 0.05, seed: 11)
        #expect(run.undetected == 0, "every survivor lists every victim dead")
        #expect(run.allKnow.count == 2)
        #expect(run.allKnow.allSatisfy { $0 > 0 && $0 < 60 })
        #expect(run.falseDeaths == 0, "no live peer declared dead at 5% loss")
        #expect(run.bytesPerSecondPerPeer > 0)
    }

    @Test func aHealedPartitionConvergesWithinTheBound() {
        var settings = PartitionExperiment.Settings(peers: 40)
        settings.split = .seconds(120)
        let result = PartitionExperiment(settings).run()
        #expect(result.crossDeadFractionBeforeHeal > 0.9)
        // A few same-side false deaths can happen while the split is fresh (indirect
        // probes still go through the other half); the heal must clear them too.
        #expect(result.sameSideDeaths < 40)
        #expect(result.healSeconds != nil)
        #expect((result.healSeconds ?? .infinity) <= result.boundSeconds)
    }

    @Test func fiveReplicasLoseNoMoreThanThreeUnderHeavyChurn() {
        var settings = DurabilityExperiment.Settings()
        settings.peers = 100
        settings.chunks = 5_000
        settings.span = .seconds(7 * 24 * 3600)
        settings.churnPerHour = 0.05
        settings.repairParallelism = 1
        let three = DurabilityExperiment(settings).run()
        settings.replicas = 5
        let five = DurabilityExperiment(settings).run()
        #expect(three.lostChunks > 0)
        #expect(five.lostChunks <= three.lostChunks)
        #expect(three.failures > 0)
    }
}
