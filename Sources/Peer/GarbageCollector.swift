import ChunkStore
import Content
import Foundation
import Logging
import NIOCore
import Transport

/// Garbage collection as one peer takes part in it (docs/gc.md). As an owner, the peer
/// renews its leases on the chunks of the files it stored, in bulk (one request per holder
/// and 4,096 chunks), and releases them when a file is removed. As a holder, it sweeps its
/// own store: chunks whose last lease ended more than the grace ago are removed, a bounded
/// batch at a time, so puts and gets never wait behind a sweep.
struct GarbageCollector: Sendable {
    /// How long an owner's lease lasts from its latest put or renewal.
    static let leaseLength = ChunkLease.length
    /// Longest pause between two renewal rounds; shorter when the grace is shorter, so that
    /// a renewal always comes within the grace (the race argument of docs/gc.md).
    static let longestRenewalInterval: TimeInterval = 24 * 3600
    /// Peers after the preference list also told of a release: a stand-in or a peer that
    /// held a chunk before the ring moved may still keep a copy with this owner's lease.
    static let releaseSpread = 2

    let placement: Placement
    let local: LocalChunks
    let calls: any PeerCalls
    /// This peer's NodeID: the owner of what it stores through its API.
    let owner: NodeID
    /// How long after its last lease ended a chunk may be collected (network-wide).
    let grace: TimeInterval
    /// Pause between two sweeps of this peer's store.
    let sweepInterval: TimeInterval
    let ledger: CollectionLedger
    /// Whether the placement names every holder yet (cold right after a restart).
    let warmup: ViewWarmup
    let metrics: NodeMetrics
    let logger: Logger
    /// One renewal page or one removal at a time: a page read before a removal must not
    /// renew, after it, the leases the removal released.
    let ownerGate = SerialGate()
    /// Keeps releases and this owner's puts in flight apart: see `ReleaseFence`.
    let fence = ReleaseFence()

    /// Half the grace, at most a day.
    var renewalInterval: TimeInterval { Self.renewalInterval(grace: grace) }

    static func renewalInterval(grace: TimeInterval) -> TimeInterval { min(longestRenewalInterval, grace / 2) }

    /// How soon a renewal round that missed a holder is tried again, and how long after the
    /// start the first round waits for membership to find the other peers.
    var retryInterval: TimeInterval { min(60, renewalInterval) }

    /// The lease a put by this owner takes now.
    func lease(now: Date = Date()) -> ChunkLease {
        ChunkLease(owner: Data(owner.bytes), expiry: now.addingTimeInterval(Self.leaseLength))!
    }

    // MARK: Owner

    /// Delivers the releases still pending, then renews this owner's leases on every chunk
    /// of its files, page by page in id order; each page is sent as one request per holder
    /// on the chunks' preference lists.
    func renewAll() async throws -> RenewalReport {
        try await retryReleases()
        var report = RenewalReport()
        var cursor: ChunkID?
        let lease = lease()
        while !Task.isCancelled {
            let after = cursor
            let renewed = try await ownerGate.run { () async throws -> (RenewalReport, last: ChunkID)? in
                let page = try await local.ownedChunks(after: after, limit: ChunkMessages.maximumBatch)
                guard let last = page.last else { return nil }
                return (try await renew(page, lease: lease), last)
            }
            guard let (page, last) = renewed else { break }
            cursor = last
            report.chunks += page.chunks
            report.requests += page.requests
            report.bytesSent += page.bytesSent
            report.failures += page.failures
            if page.chunks < ChunkMessages.maximumBatch { break }
        }
        ledger.recordRenewal(report, ownedFiles: (try? await local.ownedFiles().count) ?? 0)
        return report
    }

    /// Renews `lease` on one page of chunks, one request per holder.
    private func renew(_ page: [ChunkID], lease: ChunkLease) async throws -> RenewalReport {
        var report = RenewalReport(chunks: page.count)
        for (peer, ids) in holders(of: page, spread: 0, includingDown: true) {
            guard peer.isUsable else {
                report.failures += 1  // down: renewed once it is back
                continue
            }
            if peer.isSelf {
                _ = try await local.renewLeases(ids, lease: lease)
                continue
            }
            let request = ChunkMessages.RenewLeases(owner: lease.owner, lifetime: Self.leaseLength, ids: ids)
            report.requests += 1
            report.bytesSent += UInt64(request.payload.readableBytes)
            do {
                _ = try await calls.call(request, on: peer, timeout: .seconds(30))
            } catch {
                report.failures += 1
                logger.debug("lease renewal failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
            }
        }
        return report
    }

    /// Forgets owned files of one source (`p2p rm`, or a synced folder's versions past their
    /// retention) and releases this owner's leases on the chunks no other of its files uses.
    func remove(
        capabilities: [String], sources: [String]
    ) async throws -> (removed: Int, released: [ChunkID], unreachable: Int) {
        try await ownerGate.run {
            let (removed, orphans) = try await local.removeOwnedFiles(capabilities: capabilities, sources: sources)
            let unreachable = orphans.isEmpty ? 0 : await release(orphans)
            if removed > 0 { ledger.recordOwnedFiles((try? await local.ownedFiles().count) ?? 0) }
            return (removed, orphans, unreachable)
        }
    }

    /// Ends this owner's leases on `ids` here and on every peer that may hold them. A
    /// release computed from a cold view (just after a restart) is also kept for every
    /// holder (`everyHolder`): it goes out again, to the holders of the warm view, from
    /// `gc-releases`. Returns how many holders missed it.
    private func release(_ ids: [ChunkID]) async -> Int {
        await fence.releasing(ids) { ids in
            _ = try? await local.releaseLeases(ids, owner: Data(owner.bytes))
            // Judged before the holders are computed: the view they come from is what counts.
            let cold = !warmup.isWarm(placement.snapshot)
            let missed = await releaseOnHolders(ids)
            if cold { await keepPending(ids, for: Self.everyHolder) }
            return missed
        }
    }

    /// Tells every peer that may hold `ids` (the preference lists and `releaseSpread` peers
    /// after, down ones included), all at once. A holder that is down, or does not answer
    /// within `releaseTimeout` (cut off by a partition), is told later: the release waits in
    /// the store (`pending_release`), retried every few seconds (`gc-releases`). Returns
    /// how many holders that is.
    private func releaseOnHolders(_ ids: [ChunkID]) async -> Int {
        let holders = holders(of: ids, spread: Self.releaseSpread, includingDown: true).filter { !$0.0.isSelf }
        let missed = await withTaskGroup(of: (PlacementPeer, [ChunkID])?.self) { group in
            for (peer, ids) in holders {
                group.addTask { await deliverRelease(ids, to: peer, timeout: Self.releaseTimeout) ? nil : (peer, ids) }
            }
            return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
        }
        for (peer, group) in missed { await keepPending(group, for: peer.nodeID) }
        return missed.count
    }

    private func keepPending(_ ids: [ChunkID], for peer: NodeID) async {
        do {
            try await local.addPendingReleases(ids, peer: peer)
        } catch {
            logger.warning("cannot keep a release for later; the lease will run out instead", metadata: ["error": "\(error)"])
        }
    }

    /// Stands in a `pending_release` row for "every holder, as the warm view names them".
    static let everyHolder = NodeID(bytes: [UInt8](repeating: 0, count: 32))!

    /// How long `p2p rm` waits for a holder before leaving its release to `gc-releases`.
    static let releaseTimeout = TimeAmount.seconds(4)

    /// Retries the releases that could not be delivered, to the peers that are up now, and
    /// sends those computed from a cold view again, to every holder, once the view is warm.
    func retryReleases() async throws {
        try await ownerGate.run {
            let snapshot = placement.snapshot
            for (nodeID, ids) in try await local.pendingReleases(limit: 64 * ChunkMessages.maximumBatch) {
                if nodeID == Self.everyHolder {
                    guard warmup.isWarm(snapshot) else { continue }
                    try await fence.releasing(ids) { ids in
                        let ids = try await stillPending(ids, for: nodeID)
                        _ = await releaseOnHolders(ids)
                        try await local.removePendingReleases(ids, peer: Self.everyHolder)
                    }
                    continue
                }
                guard let peer = snapshot.peers[nodeID.identifier], peer.isUsable, !peer.isSelf else { continue }
                // A chunk a put in flight claims stays pending: that put's ledger entry drops it.
                try await fence.releasing(ids) { ids in
                    let ids = try await stillPending(ids, for: nodeID)
                    if await deliverRelease(ids, to: peer) { try await local.removePendingReleases(ids, peer: nodeID) }
                }
            }
        }
    }

    /// Those of `ids` still pending for `peer`, read again under the fence: a put that ended
    /// since the pending list was read took its chunks' leases again and dropped their rows.
    private func stillPending(_ ids: [ChunkID], for peer: NodeID) async throws -> [ChunkID] {
        let pending = Set(try await local.pendingReleases(ids, peer: peer))
        return ids.filter(pending.contains)
    }

    /// Sends this owner's release of `ids` to `peer`, in batches; whether every batch arrived.
    private func deliverRelease(_ ids: [ChunkID], to peer: PlacementPeer, timeout: TimeAmount = .seconds(30)) async -> Bool {
        guard peer.isUsable else { return false }
        for start in stride(from: 0, to: ids.count, by: ChunkMessages.maximumBatch) {
            let batch = Array(ids[start..<min(ids.count, start + ChunkMessages.maximumBatch)])
            do {
                _ = try await calls.call(ChunkMessages.ReleaseLeases(owner: Data(owner.bytes), ids: batch), on: peer, timeout: timeout)
            } catch {
                logger.debug("cannot release leases on a peer now; retried in a few seconds", metadata: [
                    "peer": "\(peer.nodeID.short)", "error": "\(error)",
                ])
                return false
            }
        }
        return true
    }

    /// `ids` grouped by the peers of their preference lists (and `spread` peers after);
    /// only the usable ones unless `includingDown`.
    private func holders(of ids: [ChunkID], spread: Int, includingDown: Bool = false) -> [(PlacementPeer, [ChunkID])] {
        let snapshot = placement.snapshot
        var groups: [NodeID: (peer: PlacementPeer, ids: [ChunkID])] = [:]
        for id in ids {
            for peer in snapshot.successors(for: id.bytes).prefix(snapshot.replicas + spread) where includingDown || peer.isUsable {
                groups[peer.nodeID, default: (peer, [])].ids.append(id)
            }
        }
        return groups.values.sorted { $0.peer.nodeID < $1.peer.nodeID }.map { ($0.peer, $0.ids) }
    }

    // MARK: Holder

    /// One sweep: removes every chunk past the grace, `sweepStep` at a time, then compacts
    /// the segments that removals left mostly dead, `compactionStep` at a time, yielding
    /// between steps; then records the store's bytes by lease state and on disk.
    func sweep() async throws -> CollectionReport {
        let clock = ContinuousClock()
        let started = clock.now
        var total = CollectionReport()
        var steps = RatePacer(rate: SweepLimits.collectionStepsPerSecond)
        while !Task.isCancelled {
            let stepStarted = clock.now
            let step = try await local.collect(grace: grace, limit: SweepLimits.collectionStep)
            total.add(step)
            if step.chunks < SweepLimits.collectionStep { break }
            await Self.rest(max(steps.delay(after: 1), SweepLimits.rest(after: clock.now - stepStarted)))
        }
        let compacted = try await compact()
        if total.chunks > 0 || compacted.didWork {
            logger.info("sweep reclaimed space", metadata: [
                "chunks": "\(total.chunks)", "bytes": "\(total.bytes)", "segments removed": "\(compacted.segmentsRemoved)",
                "bytes copied": "\(compacted.bytesCopied)", "bytes freed": "\(compacted.bytesFreed)",
            ])
        }
        let usage = try? await local.leaseUsage(grace: grace)
        let segments = try? await local.segmentUsage()
        ledger.recordSweep(total, compaction: compacted, usage: usage, segments: segments, seconds: (clock.now - started) / .seconds(1), ended: Date())
        metrics.recordSweep(chunks: total.chunks, bytes: total.bytes)
        return total
    }

    /// Compaction steps, paced, until there is nothing left worth compacting or the sweep's
    /// budget is spent (`SweepLimits`).
    private func compact() async throws -> CompactionReport {
        var total = CompactionReport()
        var pace = RatePacer(rate: SweepLimits.compactionBytesPerSecond)
        let clock = ContinuousClock()
        while !Task.isCancelled && total.bytesCopied < SweepLimits.compactionPerSweep {
            let stepStarted = clock.now
            let step = try await local.compact(maximumBytes: SweepLimits.compactionStep)
            total.add(step)
            if step.finished { break }
            await Self.rest(max(pace.delay(after: Double(step.bytesCopied)), SweepLimits.rest(after: clock.now - stepStarted)))
        }
        return total
    }

    /// Waits between two sweep steps (the sweep's pace, not synchronization).
    private static func rest(_ duration: Duration) async {
        if duration > .zero { try? await Task.sleep(for: duration) }
    }
}
