import Ring

/// Placement balance with the real `Ring`: how evenly stored bytes spread over peers
/// (relative to each peer's capacity), and how much data moves when one peer joins or
/// leaves, against the ideal. Loads are exact key-space fractions (`replicaShares`),
/// so "stored bytes" is the share times any total.
public struct BalanceExperiment: Sendable {
    /// The capacities peers offer.
    public enum CapacityProfile: String, Hashable, Sendable, Codable, CaseIterable {
        /// Every peer 1 TB.
        case uniform
        /// 50 % 1 TB, 30 % 2 TB, 15 % 4 TB, 5 % 8 TB.
        case mixed
    }

    /// What to run.
    public struct Settings: Hashable, Sendable {
        public var peers: Int
        public var profile: CapacityProfile
        public var zones = 8
        public var ring = RingConfiguration()
        /// Joins and leaves measured (each from the same base ring).
        public var trials = 2
        public var seed: UInt64 = 1

        public init(peers: Int, profile: CapacityProfile) {
            self.peers = peers
            self.profile = profile
        }
    }

    /// What was measured.
    public struct Result: Hashable, Sendable, Codable {
        public var peers: Int
        public var profile: CapacityProfile
        public var tokensPerPeer: Int
        public var replicas: Int
        /// Highest and lowest (stored bytes / capacity), over the mean of that ratio.
        public var maxOverMean: Double
        public var minOverMean: Double
        /// Peers per 0.01-wide bin of (stored / capacity) / mean, from 0.80 (first bin
        /// also counts lower values) to 1.20 (last bin also counts higher ones).
        public var histogram: [Int]
        /// Moved fraction of replica slots on a join / leave, over its ideal.
        public var joinMovedOverIdeal: [Double]
        public var leaveMovedOverIdeal: [Double]
        /// The ideal fractions: the newcomer's (or leaver's) capacity share.
        public var joinIdeal: Double
        public var leaveIdeal: Double
    }

    public let settings: Settings

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// Runs the experiment.
    public func run() -> Result {
        var random = SimulationRandom(seed: settings.seed)
        let members = (0..<settings.peers).map { index in
            RingMember(
                id: RingNodeID(bytes: random.bytes32())!, zone: "zone-\(index % settings.zones)",
                capacity: capacity(using: &random)
            )
        }
        let ring = Ring(members: members, configuration: settings.ring)
        let shares = ring.replicaShares()
        let utilization = members.map { (shares[$0.id] ?? 0) / Double($0.capacity) }
        let mean = utilization.reduce(0, +) / Double(utilization.count)
        let normalized = utilization.map { $0 / mean }
        let total = Double(members.reduce(UInt64(0)) { $0 + $1.capacity })

        var joins = [Double]()
        var leaves = [Double]()
        var joinIdeal = 0.0
        var leaveIdeal = 0.0
        for trial in 0..<settings.trials {
            let newcomer = RingMember(
                id: RingNodeID(bytes: random.bytes32())!, zone: "zone-\(trial % settings.zones)",
                capacity: settings.profile == .uniform ? 1 << 40 : 2 << 40
            )
            joinIdeal = Double(newcomer.capacity) / (total + Double(newcomer.capacity))
            let joined = Ring(members: members + [newcomer], configuration: settings.ring)
            joins.append(Ring.movedFraction(from: ring, to: joined) / joinIdeal)

            let leaver = Int(random.next() % UInt64(members.count))
            var remaining = members
            remaining.remove(at: leaver)
            leaveIdeal = Double(members[leaver].capacity) / total
            let left = Ring(members: remaining, configuration: settings.ring)
            leaves.append(Ring.movedFraction(from: ring, to: left) / leaveIdeal)
        }
        return Result(
            peers: settings.peers, profile: settings.profile, tokensPerPeer: settings.ring.tokensPerPeer,
            replicas: settings.ring.replicas, maxOverMean: normalized.max() ?? 0, minOverMean: normalized.min() ?? 0,
            histogram: Self.histogram(normalized), joinMovedOverIdeal: joins, leaveMovedOverIdeal: leaves,
            joinIdeal: joinIdeal, leaveIdeal: leaveIdeal
        )
    }

    /// The lower edge of the histogram's first bin and the bin width.
    public static let histogramStart = 0.80
    public static let histogramWidth = 0.01

    private static func histogram(_ values: [Double]) -> [Int] {
        var bins = [Int](repeating: 0, count: 40)
        for value in values {
            let bin = Int(((value - histogramStart) / histogramWidth).rounded(.down))
            bins[min(max(bin, 0), bins.count - 1)] += 1
        }
        return bins
    }

    private func capacity(using random: inout SimulationRandom) -> UInt64 {
        let terabyte: UInt64 = 1 << 40
        guard settings.profile == .mixed else { return terabyte }
        let draw = random.unit()
        switch draw {
        case ..<0.50: return terabyte
        case ..<0.80: return 2 * terabyte
        case ..<0.95: return 4 * terabyte
        default: return 8 * terabyte
        }
    }
}
