/// How the simulated network treats packets: one-way latency, loss, and partitions.
public struct NetworkConditions: Hashable, Sendable {
    /// The smallest one-way latency (propagation).
    public var baseLatency: Duration
    /// The mean of the exponential queueing delay added to `baseLatency`.
    public var meanJitter: Duration
    /// The largest one-way latency; longer draws are clipped.
    public var maxLatency: Duration
    /// Probability that any one packet is lost, in [0, 1].
    public var lossRate: Double

    /// WAN-like defaults: 10 ms + Exp(mean 15 ms), clipped at 400 ms, no loss.
    public init(
        baseLatency: Duration = .milliseconds(10),
        meanJitter: Duration = .milliseconds(15),
        maxLatency: Duration = .milliseconds(400),
        lossRate: Double = 0
    ) {
        self.baseLatency = baseLatency
        self.meanJitter = meanJitter
        self.maxLatency = maxLatency
        self.lossRate = lossRate
    }

    /// Draws one packet's latency.
    func latency(using random: inout SimulationRandom) -> Duration {
        let jitterMs = random.exponential(mean: meanJitter.milliseconds)
        let latency = baseLatency + .microseconds(Int64(jitterMs * 1_000))
        return min(latency, maxLatency)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// The duration in milliseconds, as a `Double`.
    public var milliseconds: Double { seconds * 1_000 }
}
