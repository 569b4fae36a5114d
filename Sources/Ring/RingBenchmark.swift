/// Timing of ring construction and lookups, for `tools/bench` (tests never assert on
/// time). Members get random ids, 8 zones and equal capacity.
public enum RingBenchmark {
    /// What one run measured.
    public struct Result: Sendable, CustomStringConvertible {
        public var members: Int
        public var tokens: Int
        public var build: Duration
        public var lookups: Int
        public var nanosecondsPerLookup: Double
        /// Replica load of the most loaded member over the mean (1.0 is perfect).
        public var maxOverMeanReplicaLoad: Double

        public var description: String {
            let perLookup = Double(Int(nanosecondsPerLookup * 10 + 0.5)) / 10
            let balance = Double(Int(maxOverMeanReplicaLoad * 1000 + 0.5)) / 1000
            return "ring members=\(members) tokens=\(tokens) build=\(build) "
                + "lookup=\(perLookup)ns max/mean=\(balance)"
        }
    }

    /// Builds a ring of `members` peers and times `lookups` preference-list lookups.
    public static func run(
        members: Int = 1000,
        lookups: Int = 1_000_000,
        configuration: RingConfiguration = RingConfiguration(),
        seed: UInt64 = 1
    ) -> Result {
        var random = RingSplitMix64(seed: seed)
        let input = (0..<members).map { index in
            RingMember(id: random.nextNodeID(), zone: "zone-\(index % 8)", capacity: 1 << 40)
        }
        let clock = ContinuousClock()
        let buildStart = clock.now
        let ring = Ring(members: input, configuration: configuration)
        let build = clock.now - buildStart

        let keys = (0..<4096).map { _ in random.next() }
        var checksum = 0
        let lookupStart = clock.now
        for index in 0..<lookups {
            checksum &+= ring.preferenceList(forPosition: keys[index & 4095] &+ UInt64(index)).count
        }
        let elapsed = clock.now - lookupStart
        precondition(checksum >= 0, "keeps the lookups from being optimised away")

        let shares = ring.replicaShares().values
        let mean = shares.reduce(0, +) / Double(max(1, shares.count))
        return Result(
            members: members,
            tokens: ring.tokenCount,
            build: build,
            lookups: lookups,
            nanosecondsPerLookup: Double(elapsed.nanoseconds) / Double(max(1, lookups)),
            maxOverMeanReplicaLoad: (shares.max() ?? 0) / max(mean, .leastNonzeroMagnitude)
        )
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// SplitMix64 (Steele, Lea and Flood): a tiny seeded generator for benchmarks and tests.
public struct RingSplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random 32-byte node id.
    public mutating func nextNodeID() -> RingNodeID {
        var bytes = [UInt8]()
        for _ in 0..<4 {
            let word = next()
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        guard let id = RingNodeID(bytes: bytes) else { preconditionFailure("32 bytes make an id") }
        return id
    }
}
