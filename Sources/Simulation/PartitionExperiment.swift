import Membership

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A network split in two: each half declares the other dead; after the split heals,
/// SWIM's reconnect push-pulls make every peer refute, and the experiment measures how
/// long until every peer again sees every peer alive (one consistent view).
public struct PartitionExperiment: Sendable {
    /// What to run.
    public struct Settings: Hashable, Sendable {
        public var peers: Int
        public var lossRate = 0.01
        public var split: Duration = .seconds(300)
        public var warmUp: Duration = .seconds(40)
        /// How long to wait for the views to agree after the heal.
        public var limit: Duration = .seconds(600)
        public var seed: UInt64 = 1
        public var configuration = MembershipConfiguration()
        public var network = NetworkConditions()

        public init(peers: Int) {
            self.peers = peers
        }
    }

    /// What was measured.
    public struct Result: Hashable, Sendable, Codable {
        public var peers: Int
        public var lossRate: Double
        public var splitSeconds: Double
        /// Fraction of (observer, peer on the other side) pairs listing the other dead
        /// just before the heal.
        public var crossDeadFractionBeforeHeal: Double
        /// `dead` declarations within a side (should be none).
        public var sameSideDeaths: Int
        /// Seconds from the heal until all views agree; `nil` if not within the limit.
        public var healSeconds: Double?
        /// The bound the result is judged against (see `healBound`).
        public var boundSeconds: Double
    }

    public let settings: Settings

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// An upper bound on the heal time, exceeded with probability ≤ 1 %: each peer
    /// is reached by a reconnect push-pull at rate ≥ 2 / reconnectInterval (one it
    /// sends, one it receives), so all of n are reached within
    /// `reconnectInterval / 2 × ln(100 n)`; the refutations then spread within the
    /// retransmission window.
    public static func healBound(_ configuration: MembershipConfiguration, peers: Int) -> Duration {
        let reach = configuration.reconnectInterval.seconds / 2 * log(100 * Double(peers))
        let spread = configuration.gossipInterval.seconds * Double(2 * configuration.retransmitLimit(members: peers))
        return .milliseconds(Int64((reach + spread) * 1_000))
    }

    /// Runs the experiment.
    public func run(progress: (Duration) -> Void = { _ in }) -> Result {
        var network = settings.network
        network.lossRate = settings.lossRate
        var cluster = MembershipCluster(
            count: settings.peers, configuration: settings.configuration, network: network, seed: settings.seed
        )
        let peers = settings.peers
        let side = (0..<peers).map { UInt8($0 < peers / 2 ? 0 : 1) }
        cluster.run(until: settings.warmUp)
        cluster.resetStatistics()
        cluster.groups = side
        var stepEnd = cluster.now
        while stepEnd < settings.warmUp + settings.split {
            stepEnd = min(stepEnd + .seconds(10), settings.warmUp + settings.split)
            cluster.run(until: stepEnd)
            if Int(cluster.now.seconds) % 60 == 0 { progress(cluster.now) }
        }
        var crossDead = 0
        for observer in 0..<peers {
            for subject in 0..<peers where side[subject] != side[observer] {
                if cluster.state(seenBy: observer, of: subject) == .dead { crossDead += 1 }
            }
        }
        let crossPairs = 2 * (peers / 2) * (peers - peers / 2)
        cluster.groups = nil
        let healedAt = cluster.now
        let agreed = cluster.run(atMost: settings.limit, step: .seconds(1)) { $0.viewsAgree() }
        let sameSide = cluster.deathDeclarations.filter { side[$0.observer] == side[$0.subject] }.count
        return Result(
            peers: peers, lossRate: settings.lossRate, splitSeconds: settings.split.seconds,
            crossDeadFractionBeforeHeal: Double(crossDead) / Double(max(1, crossPairs)),
            sameSideDeaths: sameSide, healSeconds: agreed.map { ($0 - healedAt).seconds },
            boundSeconds: Self.healBound(settings.configuration, peers: peers).seconds
        )
    }
}
