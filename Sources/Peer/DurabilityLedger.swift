import Synchronization

/// The durability figures repair and scrub keep up to date and the status shows
/// (`NodeStatus.Durability`), shared without an actor hop.
final class DurabilityLedger: Sendable {
    private let figures = Mutex(NodeStatus.Durability())

    init() {}

    var current: NodeStatus.Durability { figures.withLock { $0 } }

    /// One repair pass ended; `pendingHints` join its backlog.
    func recordPass(_ report: RepairPassReport, pendingHints: Int) {
        figures.withLock { figures in
            figures.passes += 1
            figures.chunks = report.chunks
            figures.atN = report.atN
            figures.belowN = report.belowN
            figures.zeroKnownReplicas = report.zeroKnownReplicas
            figures.backlog = report.backlog + pendingHints
            figures.pushedCopies += report.pushedCopies
            figures.pushedBytes += report.pushedBytes
            figures.surplusDeleted += report.surplusDeleted
            figures.lastPassSeconds = report.seconds
        }
    }

    func recordScrubbed(corrupt: Bool) {
        figures.withLock { figures in
            figures.scrubbed += 1
            if corrupt { figures.corruptFound += 1 }
        }
    }

    func recordCorruptRepaired() {
        figures.withLock { $0.corruptRepaired += 1 }
    }
}
