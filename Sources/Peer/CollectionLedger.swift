import APIModel
import ChunkStore
import Foundation
import Synchronization

/// The garbage-collection figures the collector keeps up to date and the status shows
/// (`NodeStatus.Collection`), shared without an actor hop.
final class CollectionLedger: Sendable {
    private let figures: Mutex<NodeStatus.Collection>
    private let startDelayed = Mutex(false)

    init(settings: NodeStatus.Collection) {
        figures = Mutex(settings)
    }

    var current: NodeStatus.Collection { figures.withLock { $0 } }

    /// True the first time only: the first renewal waits until membership has found the
    /// other peers (a round that saw only this one would renew nothing remote for a day).
    func firstStart() -> Bool {
        startDelayed.withLock { delayed in
            defer { delayed = true }
            return !delayed
        }
    }

    /// One sweep ended: what it removed and compacted, and the store's bytes by lease
    /// state and on disk after it.
    func recordSweep(
        _ report: CollectionReport, compaction: CompactionReport, usage: LeaseUsage?, segments: SegmentUsage?, seconds: Double, ended: Date
    ) {
        figures.withLock { figures in
            figures.sweeps += 1
            figures.reclaimedChunks += report.chunks
            figures.reclaimedBytes += report.bytes
            figures.compactedBytes += compaction.bytesCopied
            figures.segmentsRemoved += compaction.segmentsRemoved
            figures.freedBytes += compaction.bytesFreed
            if let segments {
                figures.onDiskBytes = segments.onDisk
                figures.deadBytes = segments.reclaimable
            }
            figures.lastSweepSeconds = seconds
            figures.lastSweepEnded = ended.timeIntervalSince1970
            if let usage {
                figures.referencedBytes = usage.referenced
                figures.collectableBytes = usage.collectable
                figures.inGraceBytes = usage.inGrace
            }
        }
    }

    /// One renewal round ended.
    func recordRenewal(_ report: RenewalReport, ownedFiles: Int) {
        figures.withLock { figures in
            figures.renewals += 1
            figures.lastRenewalChunks = report.chunks
            figures.lastRenewalRequests = report.requests
            figures.lastRenewalBytesSent = report.bytesSent
            figures.ownedFiles = ownedFiles
        }
    }

    func recordOwnedFiles(_ count: Int) {
        figures.withLock { $0.ownedFiles = count }
    }
}
