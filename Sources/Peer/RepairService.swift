import APIModel
import ChunkStore
import Content
import Foundation
import Logging
import NIOCore
import Transport

/// Push-based anti-entropy (docs/repair.md): every peer walks its own chunks in ring order,
/// page by page; for each page it groups the chunks by their current preference list, asks
/// each other owner in one `hasChunks` batch which it holds, and pushes the missing copies.
/// The same walk re-replicates after a peer leaves the ring (removal grace) and rebalances
/// when one joins: a copy this peer holds but no longer owns is deleted only once every
/// owner has confirmed holding it, so a chunk never drops below N during the move.
struct RepairService: Sendable {
    let placement: Placement
    let local: any ChunkHolder
    let calls: any PeerCalls
    let configuration: RepairConfiguration
    let logger: Logger

    /// One walk over every local chunk, at the configured page and byte rates.
    func repairPass() async -> RepairPassReport {
        let settings = configuration
        let clock = ContinuousClock()
        let started = clock.now
        var report = RepairPassReport()
        var bytes = RatePacer(rate: settings.bytesPerSecond)
        let hinted = (try? await local.hintedChunks()) ?? []
        await forEachLocalPage { ids in
            await repair(ids, hinted: hinted, report: &report, bytes: &bytes)
        }
        report.seconds = (clock.now - started) / .seconds(1)
        return report
    }

    /// Walks the local chunk index in ring order, one page of ids at a time, at the
    /// configured page rate; stops early when the task is cancelled. Chunks whose last
    /// lease has ended are left out: they wait for the sweep (docs/gc.md), and copying one
    /// would give it a fresh provisional lease on the peer it went to.
    func forEachLocalPage(_ body: ([ChunkID]) async -> Void) async {
        let settings = configuration
        var pages = RatePacer(rate: settings.pagesPerSecond)
        var cursor: ChunkID?
        while !Task.isCancelled {
            let page: [ChunkRecord]
            do {
                page = try await local.page(after: cursor, limit: settings.pageSize)
            } catch {
                logger.warning("cannot read the chunk index", metadata: ["error": "\(error)"])
                break
            }
            guard let last = page.last else { break }
            cursor = ChunkID(last.id)
            let now = Date()
            await body(page.filter { ($0.leaseExpiry ?? .distantFuture) >= now }.map { ChunkID($0.id) })
            await pages.pace(after: 1)
            if page.count < settings.pageSize { break }
        }
    }

    /// Repairs one page: one `hasChunks` batch per owner of each preference list in it.
    private func repair(_ ids: [ChunkID], hinted: Set<ChunkID>, report: inout RepairPassReport, bytes: inout RatePacer) async {
        let snapshot = placement.snapshot
        let fullList = min(snapshot.replicas, snapshot.peers.count)
        var groups: [String: (owners: [PlacementPeer], ids: [ChunkID])] = [:]
        for id in ids {
            let owners = snapshot.preferenceList(for: id.bytes)
            guard !owners.isEmpty else { continue }
            groups[owners.map(\.nodeID.description).joined(separator: ","), default: (owners, [])].ids.append(id)
        }
        let answers = await askOwners(of: Array(groups.values))
        for (owners, group) in groups.values {
            // held[o][i]: whether owner o holds chunk i; leased[o][i]: under a lease that still
            // keeps it (this peer's own copies are: its walk skips the others); nil when it
            // was not asked or did not answer.
            let held = owners.map { owner in
                owner.isSelf ? Array(repeating: true, count: group.count) : answers.held(group, by: owner)
            }
            let leased = owners.map { owner in
                owner.isSelf ? Array(repeating: true, count: group.count) : answers.leased(group, by: owner)
            }
            let selfIndex = owners.firstIndex(where: \.isSelf)
            // One pusher per chunk: the first owner in list order holding it under a lease, or
            // an off-list holder when no owner does, so copies are not sent once per holder. A
            // copy whose lease ended is never pushed by its holder (its walk skips it): a stray
            // that missed its owner's release, waiting for such an owner, counted the chunk
            // below N for a month (found by the history checker's settle).
            var jobs: [(index: Int, targets: [PlacementPeer])] = []
            for index in group.indices {
                let pushers = owners.indices.filter { leased[$0]?[index] == true }
                let missing = owners.indices.filter { owners[$0].isUsable && held[$0]?[index] == false }
                let designated = selfIndex.map { pushers.first == $0 } ?? pushers.isEmpty
                if designated && !missing.isEmpty { jobs.append((index, missing.map { owners[$0] })) }
            }
            let pushed = await pushAll(jobs, ids: group, report: &report, bytes: &bytes)
            for (index, id) in group.enumerated() {
                if Task.isCancelled { return }
                let holders = owners.indices.filter { held[$0]?[index] == true }
                let missing = owners.indices.filter { owners[$0].isUsable && held[$0]?[index] == false }
                let confirmed = holders.count + (pushed[index] ?? 0)
                // A copy no owner claims (its leases released or run out, or only the
                // provisional lease of a copy that came without any) is no durability debt:
                // garbage waiting for the sweep, or a stray whose owners' copies count.
                if confirmed < snapshot.replicas, await !isClaimed(id) { continue }
                report.backlog += missing.count - (pushed[index] ?? 0)
                if selfIndex == nil {
                    let everyOwnerHasIt = owners.count >= fullList && confirmed == owners.count
                        && owners.allSatisfy { $0.state == .alive }
                    if everyOwnerHasIt && !hinted.contains(id) {
                        do {
                            try await local.delete(id)
                            report.surplusDeleted += 1
                            logger.debug("moved a chunk to its new owners", metadata: ["chunk": "\(id.description.prefix(16))"])
                            continue
                        } catch {
                            logger.warning("cannot drop a surplus copy", metadata: ["chunk": "\(id)", "error": "\(error)"])
                        }
                    }
                    report.backlog += 1
                }
                report.chunks += 1
                switch confirmed {
                case 0: report.zeroKnownReplicas += 1
                case snapshot.replicas...: report.atN += 1
                default: report.belowN += 1
                }
            }
        }
    }

    /// Whether some owner holds a live lease on `id` here, the provisional owner aside
    /// (when the leases cannot be read, it is taken as claimed).
    private func isClaimed(_ id: ChunkID) async -> Bool {
        guard let leases = try? await local.leases(of: id) else { return true }
        let now = Date()
        return leases.contains { $0.expiry > now && $0.owner != ChunkLease.provisionalOwner }
    }

    /// Carries out the pushes of one group, a few chunks at a time, within the byte rate.
    /// Returns, per chunk index, how many copies were stored.
    func pushAll(
        _ jobs: [(index: Int, targets: [PlacementPeer])], ids: [ChunkID], report: inout RepairPassReport, bytes: inout RatePacer
    ) async -> [Int: Int] {
        guard !jobs.isEmpty else { return [:] }
        return await withTaskGroup(of: (index: Int, stored: Int, size: Int).self) { group in
            var stored: [Int: Int] = [:]
            var pending = jobs[...]
            func launch(_ group: inout TaskGroup<(index: Int, stored: Int, size: Int)>) {
                guard let job = pending.popFirst() else { return }
                let id = ids[job.index]
                group.addTask {
                    // Leases as they are now: one released since the page was read is garbage
                    // waiting for the sweep, and a copy without leases would be kept provisionally.
                    let now = Date()
                    let leases = ((try? await self.local.leases(of: id)) ?? []).filter { $0.expiry > now }
                    guard !leases.isEmpty, let chunk = try? await self.local.get(id) else { return (job.index, 0, 0) }
                    var count = 0
                    for target in job.targets where await self.push(id, chunk, leases: leases, to: target) { count += 1 }
                    return (job.index, count, chunk.count * count)
                }
            }
            for _ in 0..<Self.pushesInFlight { launch(&group) }
            while let result = await group.next() {
                stored[result.index] = result.stored
                report.pushedCopies += result.stored
                report.pushedBytes += UInt64(result.size)
                await bytes.pace(after: Double(result.size))
                launch(&group)
            }
            return stored
        }
    }

    /// Chunks pushed at the same time by one repair pass.
    static let pushesInFlight = 4

    /// Asks every usable other owner of a page, in one `hasChunks` batch per peer and all
    /// peers at once, which of the page's chunks it holds: a page costs one round trip to
    /// the farthest owner, not one per owner and preference list (at 50 ms between zones,
    /// a peer in every list spent two minutes a pass asking one group after the other).
    func askOwners(of groups: [(owners: [PlacementPeer], ids: [ChunkID])]) async -> OwnerAnswers {
        var asked: [NodeID: (peer: PlacementPeer, ids: [ChunkID])] = [:]
        for (owners, ids) in groups {
            for owner in owners where !owner.isSelf && owner.isUsable {
                asked[owner.nodeID, default: (owner, [])].ids += ids
            }
        }
        return await withTaskGroup(of: (NodeID, [ChunkID], [ChunkHolding]?).self) { tasks in
            var pending = asked.values[...]
            func launch(_ tasks: inout TaskGroup<(NodeID, [ChunkID], [ChunkHolding]?)>) {
                guard let (peer, ids) = pending.popFirst() else { return }
                tasks.addTask { (peer.nodeID, ids, await self.ask(peer, about: ids)) }
            }
            for _ in 0..<Self.asksInFlight { launch(&tasks) }
            var answers = OwnerAnswers()
            while let (peer, ids, held) = await tasks.next() {
                if let held, held.count == ids.count {
                    answers.byPeer[peer] = Dictionary(zip(ids, held), uniquingKeysWith: { $0.rawValue >= $1.rawValue ? $0 : $1 })
                }
                launch(&tasks)
            }
            return answers
        }
    }

    /// `hasChunks` batches in flight at once from one page.
    static let asksInFlight = 16

    /// How a peer holds each of `ids`, or nil when it cannot be asked.
    func ask(_ peer: PlacementPeer, about ids: [ChunkID]) async -> [ChunkHolding]? {
        do {
            return try await calls.call(ChunkMessages.Has(ids: ids), on: peer, timeout: .seconds(10))
        } catch {
            logger.debug("repair cannot ask a peer", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
            return nil
        }
    }

    /// Copies a chunk to `peer` with the leases it has here, so that its owners' claims
    /// travel with it.
    func push(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease], to peer: PlacementPeer) async -> Bool {
        do {
            try await calls.call(ChunkMessages.Store(id: id, bytes: bytes, leases: leases), on: peer, timeout: .seconds(30))
            return true
        } catch {
            logger.debug("repair push failed", metadata: ["peer": "\(peer.nodeID.short)", "chunk": "\(id.description.prefix(16))", "error": "\(error)"])
            return false
        }
    }
}

