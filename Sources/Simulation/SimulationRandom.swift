import Membership

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulator's seeded source of randomness: xoshiro256** (the generator the
/// membership state machine uses) plus the few distributions the models need.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var generator: Xoshiro256StarStar

    /// A generator whose whole sequence is decided by `seed`.
    public init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `true` with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && unit() < probability
    }

    /// Exponentially distributed with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }

    /// 32 random bytes, e.g. a NodeID or a chunk id.
    public mutating func bytes32() -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(32)
        for _ in 0..<4 {
            let word = next()
            for shift in stride(from: 56, through: 0, by: -8) {
                result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return result
    }
}
