/// Order statistics of a sample.
public struct Percentiles: Hashable, Sendable, Codable {
    /// Sample size.
    public var count: Int
    public var p50: Double
    public var p99: Double
    public var max: Double

    /// Nearest-rank percentiles of `values`; all zero for an empty sample.
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        guard !sorted.isEmpty else {
            (p50, p99, max) = (0, 0, 0)
            return
        }
        func rank(_ fraction: Double) -> Double {
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        p50 = rank(0.50)
        p99 = rank(0.99)
        max = sorted[sorted.count - 1]
    }
}
