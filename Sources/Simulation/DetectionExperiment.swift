import Membership

/// Failure detection with the real SWIM/Lifeguard state machines: peers are crashed
/// one after another, and the experiment records when each survivor lists each victim
/// `dead`, how many live peers were declared dead by mistake, and what the protocol
/// cost in bytes.
public struct DetectionExperiment: Sendable {
    /// What to run.
    public struct Settings: Hashable, Sendable {
        public var peers: Int
        public var lossRate: Double
        /// Peers crashed, `crashSpacing` apart, after the warm-up.
        public var crashes = 3
        public var crashSpacing: Duration = .seconds(20)
        /// Simulated time before the first crash; covers the first push-pull round.
        public var warmUp: Duration = .seconds(40)
        /// Simulated time over which traffic and false positives are measured (after the
        /// warm-up); rounded up to whole push-pull periods.
        public var measured: Duration = .seconds(300)
        public var seed: UInt64 = 1
        public var configuration = MembershipConfiguration()
        public var network = NetworkConditions()

        public init(peers: Int, lossRate: Double) {
            self.peers = peers
            self.lossRate = lossRate
        }
    }

    /// What was measured.
    public struct Result: Hashable, Sendable, Codable {
        public var peers: Int
        public var lossRate: Double
        /// Seconds from a crash until one survivor lists the victim dead, over every
        /// (victim, survivor) pair.
        public var detection: Percentiles
        /// Seconds from each crash until every survivor lists the victim dead.
        public var allKnow: [Double]
        /// (victim, survivor) pairs still not listing the victim dead at the end.
        public var undetected: Int
        /// `dead` declarations about peers that were running.
        public var falseDeaths: Int
        /// Fraction of running peers that anyone declared dead.
        public var falseDeadPeerFraction: Double
        /// Running peers suspected per hour, network-wide (each suspicion counted once,
        /// not once per observer); refuted unless counted in `falseDeaths`.
        public var falseSuspicionsPerHour: Double
        /// Mean and highest bytes sent per peer per second.
        public var bytesPerSecondPerPeer: Double
        public var maxBytesPerSecondPerPeer: Double
        /// The part of the traffic that is push-pull (full-state exchange).
        public var pushPullFraction: Double
        public var simulatedSeconds: Double
    }

    public let settings: Settings

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// Runs the experiment; `progress` is told the simulated time now and then.
    public func run(progress: (Duration) -> Void = { _ in }) -> Result {
        var network = settings.network
        network.lossRate = settings.lossRate
        var cluster = MembershipCluster(
            count: settings.peers, configuration: settings.configuration, network: network, seed: settings.seed
        )
        var random = SimulationRandom(seed: settings.seed ^ 0x5eed)
        cluster.run(until: settings.warmUp)
        cluster.resetStatistics()
        let period = settings.configuration.pushPullPeriod(members: settings.peers)
        let periods = max(1, Int((settings.measured.seconds / period.seconds).rounded(.up)))
        let measuredEnd = settings.warmUp + period * periods

        var victims = [(index: Int, at: Duration)]()
        let crashes = min(settings.crashes, settings.peers - 2)
        for _ in 0..<crashes {
            var victim = Int(random.next() % UInt64(settings.peers))
            while !cluster.isRunning(victim) { victim = (victim + 1) % settings.peers }
            cluster.run(for: settings.crashSpacing)
            cluster.watched.insert(victim)
            cluster.crash(victim)
            victims.append((victim, cluster.now))
        }
        let limit = settings.configuration.failureDetectionBound(members: settings.peers)
        var stepEnd = cluster.now
        while cluster.now < measuredEnd || !victims.allSatisfy({ cluster.allSee($0.index, as: .dead) }) {
            stepEnd = stepEnd + .seconds(10)
            cluster.run(until: stepEnd)
            if Int(cluster.now.seconds) % 60 == 0 { progress(cluster.now) }
            if cluster.now >= measuredEnd, cluster.now - (victims.last?.at ?? .zero) > limit { break }
        }
        let trafficSeconds = (cluster.now - settings.warmUp).seconds
        return summarize(cluster, victims: victims, seconds: trafficSeconds)
    }

    private func summarize(_ cluster: MembershipCluster, victims: [(index: Int, at: Duration)], seconds: Double) -> Result {
        let crashedAt = Dictionary(uniqueKeysWithValues: victims.map { ($0.index, $0.at) })
        var firstDead = [Int: [Int: Duration]]()
        for observation in cluster.observations where observation.state == .dead {
            guard let at = crashedAt[observation.subject], observation.time >= at else { continue }
            if firstDead[observation.subject, default: [:]][observation.observer] == nil {
                firstDead[observation.subject, default: [:]][observation.observer] = observation.time - at
            }
        }
        var delays = [Double]()
        var allKnow = [Double]()
        var undetected = 0
        let survivors = cluster.running
        for victim in victims {
            var worst = 0.0
            for observer in survivors {
                if let delay = firstDead[victim.index]?[observer] {
                    delays.append(delay.seconds)
                    worst = max(worst, delay.seconds)
                } else {
                    undetected += 1
                }
            }
            allKnow.append(worst)
        }
        let falseDeaths = cluster.deathDeclarations.filter { declaration in
            guard let at = crashedAt[declaration.subject] else { return true }
            return declaration.time < at
        }
        let falselyDead = Set(falseDeaths.map(\.subject)).count
        let falseSuspicions = cluster.suspicionsBySubject.filter { crashedAt[$0.key] == nil }.values.reduce(0, +)
        let peers = Double(cluster.count)
        let total = Double(cluster.traffic.totalBytes)
        let maxSent = Double(cluster.traffic.bytesSent.max() ?? 0)
        return Result(
            peers: cluster.count, lossRate: settings.lossRate, detection: Percentiles(delays), allKnow: allKnow,
            undetected: undetected, falseDeaths: falseDeaths.count, falseDeadPeerFraction: Double(falselyDead) / peers,
            falseSuspicionsPerHour: Double(falseSuspicions) / max(1, peers - 1) / (seconds / 3600),
            bytesPerSecondPerPeer: total / peers / seconds, maxBytesPerSecondPerPeer: maxSent / seconds,
            pushPullFraction: total > 0 ? Double(cluster.traffic.pushPullBytes) / total : 0,
            simulatedSeconds: cluster.now.seconds
        )
    }
}
