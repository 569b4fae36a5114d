import Ring

/// Durability under churn, as a model on top of the real `Ring` placement: peers
/// fail for good (their disks with them) at a given rate and are replaced by empty
/// ones; after detection plus the removal grace, each lost copy is re-made, at a
/// bandwidth-limited pace, from a surviving replica. A chunk is lost when all its
/// replicas fail before a repair completes. The experiment counts sampled chunks that
/// ever reached 0 replicas over the simulated span.
///
/// The ring decides which peers share chunks (zones included) and how much data each
/// failure puts up for repair; failures are memoryless, so which peer receives a
/// repaired copy does not change the odds and the copy is credited to the failed slot.
public struct DurabilityExperiment: Sendable {
    /// What to run.
    public struct Settings: Hashable, Sendable {
        public var peers = 1_000
        public var replicas = 3
        public var zones = 8
        public var tokensPerPeer = 256
        /// Permanent failures (each replaced by a new empty peer) per peer per hour.
        public var churnPerHour = 0.01
        /// Replica bytes stored per peer on average.
        public var bytesPerPeer: Double = 500e9
        /// Bytes per second one peer can receive for repair.
        public var repairBandwidth: Double = 10e6
        /// Peers that receive a failed peer's data in parallel: many with virtual nodes
        /// (the ranges scatter over the ring), 1 when one replacement takes it all.
        public var repairParallelism = 100
        /// Time to detect the failure plus the grace before re-replication.
        public var repairDelay: Duration = .seconds(620)
        public var span: Duration = .seconds(30 * 24 * 3600)
        public var chunks = 100_000
        public var seed: UInt64 = 1

        public init() {}
    }

    /// What was measured.
    public struct Result: Hashable, Sendable, Codable {
        public var replicas: Int
        public var churnPerHour: Double
        public var repairParallelism: Int
        /// Hours to re-make one average peer's data.
        public var repairHours: Double
        public var failures: Int
        public var chunks: Int
        /// Sampled chunks that ever had 0 replicas.
        public var lostChunks: Int
        public var lostFraction: Double
        /// Sampled chunks that were down to 1 replica at some point.
        public var singleCopyChunks: Int
    }

    private enum Event {
        case failure
        case repair(chunk: Int32, replica: UInt8, generation: UInt32)
    }

    public let settings: Settings

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// Runs the experiment.
    public func run() -> Result {
        let n = settings.peers
        let copies = settings.replicas
        var random = SimulationRandom(seed: settings.seed)
        let members = (0..<n).map { index in
            RingMember(id: RingNodeID(bytes: random.bytes32())!, zone: "zone-\(index % settings.zones)", capacity: 1 << 40)
        }
        let ring = Ring(members: members, configuration: RingConfiguration(replicas: copies, tokensPerPeer: settings.tokensPerPeer))
        let slotOf = Dictionary(uniqueKeysWithValues: ring.members.enumerated().map { ($1.id, $0) })
        let shares = ring.replicaShares()
        let meanShare = Double(copies) / Double(n)
        let repairSeconds = ring.members.map { settings.bytesPerPeer * (shares[$0.id] ?? 0) / meanShare / (settings.repairBandwidth * Double(settings.repairParallelism)) }

        var holders = [Int32](repeating: 0, count: settings.chunks * copies)
        var hasCopy = [Bool](repeating: true, count: settings.chunks * copies)
        var alive = [Int](repeating: copies, count: settings.chunks)
        var slotReplicas = [[Int32]](repeating: [], count: n)
        for chunk in 0..<settings.chunks {
            let list = ring.preferenceList(forKey: random.bytes32())
            for (replica, member) in list.enumerated() {
                let slot = slotOf[member.id]!
                holders[chunk * copies + replica] = Int32(slot)
                slotReplicas[slot].append(Int32(chunk * copies + replica))
            }
        }
        var generation = [UInt32](repeating: 0, count: n)
        var lost = [Bool](repeating: false, count: settings.chunks)
        var single = [Bool](repeating: false, count: settings.chunks)
        var queue = EventQueue<Event>()
        let meanGap = 3600 / (settings.churnPerHour * Double(n))
        queue.push(.failure, at: .seconds(random.exponential(mean: meanGap)))
        var failures = 0
        while let time = queue.nextTime, time <= settings.span {
            switch queue.pop()!.payload {
            case .failure:
                failures += 1
                let slot = Int(random.next() % UInt64(n))
                generation[slot] &+= 1
                for entry in slotReplicas[slot] {
                    let chunk = Int(entry) / copies
                    if hasCopy[Int(entry)] {
                        hasCopy[Int(entry)] = false
                        alive[chunk] -= 1
                        if alive[chunk] == 1 { single[chunk] = true }
                        if alive[chunk] == 0 { lost[chunk] = true }
                    }
                    let delay = settings.repairDelay.seconds + random.unit() * repairSeconds[slot]
                    let event = Event.repair(chunk: Int32(chunk), replica: UInt8(Int(entry) % copies), generation: generation[slot])
                    queue.push(event, at: time + .milliseconds(Int64(delay * 1_000)))
                }
                queue.push(.failure, at: time + .milliseconds(Int64(random.exponential(mean: meanGap) * 1_000)))
            case .repair(let chunk, let replica, let expected):
                let entry = Int(chunk) * copies + Int(replica)
                let slot = Int(holders[entry])
                // A later failure of the same slot supersedes this repair; a chunk with no
                // copy left has nothing to repair from.
                guard generation[slot] == expected, !hasCopy[entry], alive[Int(chunk)] > 0 else { continue }
                hasCopy[entry] = true
                alive[Int(chunk)] += 1
            }
        }
        let lostCount = lost.filter { $0 }.count
        return Result(
            replicas: copies, churnPerHour: settings.churnPerHour, repairParallelism: settings.repairParallelism,
            repairHours: settings.bytesPerPeer / (settings.repairBandwidth * Double(settings.repairParallelism)) / 3600,
            failures: failures, chunks: settings.chunks, lostChunks: lostCount,
            lostFraction: Double(lostCount) / Double(settings.chunks), singleCopyChunks: single.filter { $0 }.count
        )
    }
}
