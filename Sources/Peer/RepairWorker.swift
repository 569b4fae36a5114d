import Workers

/// The repair loop (docs/repair.md): a pass over the local chunks, then over the local
/// records, then the figures; the next pass starts after the pass interval, or as soon as
/// the placement changes (its runner's trigger), at least a second after the last.
struct RepairWorker: Worker {
    let name = "repair"
    let chunks: RepairService
    let records: RecordService
    let ledger: DurabilityLedger
    let metrics: NodeMetrics

    /// Shortest pause between two repair passes.
    static let minimumPause = Duration.seconds(1)

    func work() async throws -> WorkerPace {
        let report = await chunks.repairPass()
        if Task.isCancelled { return .busy }
        await records.repairPass()
        if Task.isCancelled { return .busy }
        ledger.recordPass(report, pendingHints: (try? await chunks.local.hintCount()) ?? 0)
        metrics.recordRepairPass(pushedBytes: report.pushedBytes, surplusDeleted: report.surplusDeleted)
        return .idle(chunks.configuration.passInterval)
    }
}
