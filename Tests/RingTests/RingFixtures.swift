import Ring

/// Deterministic members and keys for the ring tests.
struct RingFixtures {
    var random: RingSplitMix64

    init(seed: UInt64) { random = RingSplitMix64(seed: seed) }

    mutating func members(_ count: Int, zones: Int, capacity: UInt64 = 1 << 40) -> [RingMember] {
        (0..<count).map { index in
            RingMember(id: random.nextNodeID(), zone: "z\(index % zones)", capacity: capacity)
        }
    }

    mutating func key() -> [UInt8] {
        var bytes = [UInt8]()
        for _ in 0..<4 {
            let word = random.next()
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return bytes
    }
}

func maxOverMean(_ shares: some Collection<Double>) -> Double {
    let mean = shares.reduce(0, +) / Double(shares.count)
    return (shares.max() ?? 0) / mean
}
