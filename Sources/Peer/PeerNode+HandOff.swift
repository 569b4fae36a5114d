import APIModel
import Content
import Foundation
import Logging

/// Graceful leave (docs/repair.md): before announcing `left`, the peer pushes every chunk it
/// holds to the preference lists computed without itself — the owners the others will
/// compute once it is gone — and waits for each of them to confirm. The survivors then
/// hold every chunk at N the moment they see `left`, instead of repairing after the fact.
extension PeerNode {
    /// Pause between hand-off passes while some owner has not confirmed yet.
    static let handOffRetry = Duration.seconds(1)

    /// Hands off every local chunk, then announces `left` and stops. Gives up waiting for
    /// confirmations after `timeout` (an owner down for good must not block a leave
    /// forever) and leaves anyway: the survivors' repair passes cover what is missing.
    /// With `untilAtN` (a drain) a chunk counts only once every new owner holds it, none
    /// of them down. `handOffProgress` shows each pass as it ends.
    public func leave(handOffTimeout timeout: Duration = .seconds(600), untilAtN: Bool = false) async -> HandOffReport {
        // Repair and scrub stop first: they would push copies back to this peer or drop some.
        await stopHealing()
        let clock = ContinuousClock()
        let started = clock.now
        var report = HandOffReport()
        handOffProgress = DrainProgress(state: .draining)
        logger.info("leaving: handing off every chunk to its owners without this peer")
        while true {
            let pass = await repair.handOffPass(await membership.placementSnapshot(includingSelf: false))
            report.passes += 1
            report.chunks = pass.chunks
            report.confirmed = pass.atN + pass.belowN
            report.ownerDown = pass.belowN
            report.pushedCopies += pass.pushedCopies
            report.pushedBytes += pass.pushedBytes
            report.seconds = (clock.now - started) / .seconds(1)
            let done = report.isComplete && (!untilAtN || report.ownerDown == 0)
            handOffProgress = DrainProgress(report, state: done ? .left : .draining)
            if done || clock.now - started >= timeout || Task.isCancelled { break }
            try? await Task.sleep(for: Self.handOffRetry)  // retry period, not synchronization
        }
        report.seconds = (clock.now - started) / .seconds(1)
        let metadata: Logger.Metadata = [
            "chunks": "\(report.chunks)", "confirmed": "\(report.confirmed)", "pushed": "\(report.pushedCopies)",
            "bytes": "\(report.pushedBytes)", "passes": "\(report.passes)",
        ]
        if report.isComplete {
            logger.info("hand-off complete; announcing left", metadata: metadata)
        } else {
            logger.warning("hand-off incomplete at the deadline; leaving anyway, repair will finish it", metadata: metadata)
        }
        await stop(announceLeave: true)
        return report
    }
}

extension DrainProgress {
    init(_ report: HandOffReport, state: State) {
        self.init(
            state: state, chunks: report.chunks, confirmed: report.confirmed, ownerDown: report.ownerDown,
            pushedCopies: report.pushedCopies, pushedBytes: report.pushedBytes, passes: report.passes, seconds: report.seconds)
    }
}
