/// Everything one `p2psim` run measured, for the text table, `--json` and the charts.
public struct SimulationReport: Sendable, Codable {
    /// A measured result with the wall-clock time it took.
    public struct Timed<Value: Sendable & Codable>: Sendable, Codable {
        public var result: Value
        public var wallSeconds: Double

        public init(result: Value, wallSeconds: Double) {
            self.result = result
            self.wallSeconds = wallSeconds
        }
    }

    public var seed: UInt64
    public var balance: [Timed<BalanceExperiment.Result>] = []
    public var detection: [Timed<DetectionExperiment.Result>] = []
    public var durability: [Timed<DurabilityExperiment.Result>] = []
    public var partition: [Timed<PartitionExperiment.Result>] = []
    public var costModel: [MembershipCostModel] = []

    public init(seed: UInt64) {
        self.seed = seed
    }
}
