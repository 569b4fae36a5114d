import Simulation

/// The churn and repair settings the durability table compares.
struct DurabilityScenario {
    var name: String
    var settings: DurabilityExperiment.Settings

    static var all: [DurabilityScenario] {
        func make(_ name: String, churn: Double, parallelism: Int) -> DurabilityScenario {
            var settings = DurabilityExperiment.Settings()
            settings.churnPerHour = churn
            settings.repairParallelism = parallelism
            return DurabilityScenario(name: name, settings: settings)
        }
        return [
            make("churn 1%/h, spread repair", churn: 0.01, parallelism: 100),
            make("churn 1%/h, one receiver", churn: 0.01, parallelism: 1),
            make("churn 5%/h, spread repair", churn: 0.05, parallelism: 100),
            make("churn 5%/h, one receiver", churn: 0.05, parallelism: 1),
        ]
    }
}
