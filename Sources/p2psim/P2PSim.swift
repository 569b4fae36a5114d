import ArgumentParser
import Foundation
import Membership
import Ring
import Simulation

/// `p2psim`: runs the real `Ring` and `Membership` code at scale on a simulated
/// network and reports balance, failure detection, durability under churn and
/// partition healing.
@main
struct P2PSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2psim",
        abstract: "Simulate thousands of p2pstore peers running the real placement and membership code."
    )

    @Option(help: "Experiments to run, comma-separated: balance, detection, durability, partition.")
    var experiments = "balance,detection,durability,partition"

    @Option(help: "Peer counts for the balance experiment.")
    var balancePeers = "1000,10000"

    @Option(help: "Ring tokens per peer (default: the network default, 1024).")
    var tokens = 1024

    @Option(help: "Peer counts for the failure-detection experiment.")
    var detectionPeers = "100,1000,2000,10000"

    @Option(help: "Message loss rates for the failure-detection experiment.")
    var loss = "0.01,0.05,0.2"

    @Option(help: "Largest peer count run at every loss rate; bigger ones run at the first rate only.")
    var allLossUpTo = 1000

    @Option(help: "Simulated seconds of failure detection measured per run (rounded up to push-pull periods).")
    var detectionSeconds = 300

    @Option(help: "Simulated seconds measured for peer counts above --all-loss-up-to (default: --detection-seconds).")
    var largeDetectionSeconds: Int?

    @Option(help: "Base push-pull interval in seconds (memberlist default 30).")
    var pushPullInterval = 30

    @Option(help: "Peer counts for the partition experiment.")
    var partitionPeers = "1000"

    @Option(help: "Chunks sampled by the durability model.")
    var chunks = 100_000

    @Option(help: "Seed; the same seed gives the same output.")
    var seed: UInt64 = 1

    @Flag(help: "Print JSON instead of the text table.")
    var json = false

    @Option(help: "Write SVG charts (and report.json) into this folder.")
    var out: String?

    mutating func run() throws {
        let wanted = Set(experiments.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        var membership = MembershipConfiguration()
        membership.pushPullInterval = .seconds(pushPullInterval)
        var report = SimulationReport(seed: seed)
        if wanted.contains("balance") {
            for peers in try counts(balancePeers) {
                for profile in BalanceExperiment.CapacityProfile.allCases {
                    var settings = BalanceExperiment.Settings(peers: peers, profile: profile)
                    settings.ring.tokensPerPeer = tokens
                    // Mixed capacities use a fixed reference (1 TB), as docs/placement.md
                    // advises, so a join or leave does not shift every peer's token count.
                    if profile == .mixed { settings.ring.referenceCapacity = 1 << 40 }
                    settings.trials = peers > 5_000 ? 1 : 3
                    settings.seed = seed
                    log("balance: \(peers) peers, \(profile)")
                    report.balance.append(timed { BalanceExperiment(settings).run() })
                }
            }
        }
        if wanted.contains("detection") {
            let rates = try values(loss)
            for peers in try counts(detectionPeers) {
                for rate in peers <= allLossUpTo ? rates : Array(rates.prefix(1)) {
                    var settings = DetectionExperiment.Settings(peers: peers, lossRate: rate)
                    settings.measured = .seconds(peers > allLossUpTo ? largeDetectionSeconds ?? detectionSeconds : detectionSeconds)
                    settings.configuration = membership
                    settings.seed = seed
                    log("detection: \(peers) peers, \(rate * 100)% loss")
                    report.detection.append(timed {
                        DetectionExperiment(settings).run { log("  simulated \(Int($0.seconds)) s") }
                    })
                }
            }
            for peers in [100, 1_000, 2_000, 5_000, 10_000, 100_000, 1_000_000] {
                report.costModel.append(MembershipCostModel(peers: peers, configuration: membership))
            }
        }
        if wanted.contains("durability") {
            for scenario in DurabilityScenario.all {
                for replicas in [3, 5] {
                    var settings = scenario.settings
                    settings.replicas = replicas
                    settings.chunks = chunks
                    settings.seed = seed
                    log("durability: \(scenario.name), N=\(replicas)")
                    report.durability.append(timed { DurabilityExperiment(settings).run() })
                }
            }
        }
        if wanted.contains("partition") {
            for peers in try counts(partitionPeers) {
                var settings = PartitionExperiment.Settings(peers: peers)
                settings.configuration = membership
                settings.seed = seed
                log("partition: \(peers) peers")
                report.partition.append(timed { PartitionExperiment(settings).run { log("  simulated \(Int($0.seconds)) s") } })
            }
        }
        if json {
            print(try String(decoding: Self.encoder.encode(report), as: UTF8.self))
        } else {
            print(ReportTable(report).render())
        }
        if let out {
            try ChartWriter(report).write(to: URL(fileURLWithPath: out))
            try Self.encoder.encode(report).write(to: URL(fileURLWithPath: out).appendingPathComponent("report.json"))
            log("charts written to \(out)")
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    private func timed<Value>(_ body: () -> Value) -> SimulationReport.Timed<Value> {
        let clock = ContinuousClock()
        let start = clock.now
        let result = body()
        let elapsed = (clock.now - start).seconds
        log("  done in \(String(format: "%.1f", elapsed)) s wall clock")
        return SimulationReport.Timed(result: result, wallSeconds: elapsed)
    }

    private func counts(_ list: String) throws -> [Int] {
        try list.split(separator: ",").map {
            guard let value = Int($0.trimmingCharacters(in: .whitespaces)), value >= 3 else {
                throw ValidationError("bad peer count '\($0)' (need an integer ≥ 3)")
            }
            return value
        }
    }

    private func values(_ list: String) throws -> [Double] {
        try list.split(separator: ",").map {
            guard let value = Double($0.trimmingCharacters(in: .whitespaces)), (0..<1).contains(value) else {
                throw ValidationError("bad loss rate '\($0)' (need a number in [0, 1))")
            }
            return value
        }
    }
}

/// Progress goes to stderr so stdout stays a clean table or JSON document.
func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
