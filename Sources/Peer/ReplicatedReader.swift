import Content
import Logging
import NIOCore
import OpenSSLKit
import Transport
import Workers

/// The coordinator's read path, as a `ChunkSource`: the local copy if this peer is a
/// replica, else the replicas nearest first (by `latencies`; ring order without them) with
/// a hedged second request when the first is slow, then every other peer. Bytes that do not hash to the id are rejected and the
/// next peer is asked. Replicas found without the chunk get it back (read repair). A chunk
/// fetched from another peer enters the `cache`, which answers the next read of it.
public struct ReplicatedReader: ChunkSource {
    let placement: Placement
    let local: any ChunkHolder
    let calls: any PeerCalls
    let background: BackgroundTasks
    let logger: Logger
    let timeout: TimeAmount
    /// How long to wait for a replica before asking the next one as well, when its answer
    /// time is not known (else twice that, `PeerLatencies.hedgeDelay`).
    let hedgeDelay: Duration
    /// Answer times per peer; nil: replicas in ring order, one fixed hedge delay.
    var latencies: PeerLatencies? = nil
    var cache: ChunkCache? = nil

    public func fetch(id: ChunkID) async throws -> [UInt8] {
        let snapshot = placement.snapshot
        let candidates = snapshot.successors(for: id.bytes)
        let replicaCount = snapshot.preferenceList(for: id.bytes).count
        if candidates.prefix(replicaCount).contains(where: \.isSelf) || candidates.isEmpty,
           let bytes = try await local.get(id) {
            cache?.noteLocalRead()
            return bytes
        }
        if let bytes = cache?.get(id) { return bytes }
        // Usable replicas nearest first, the rest of the ring, then those thought down.
        let usable = candidates.filter { !$0.isSelf && $0.isUsable }
        let usableReplicas = usable.filter { candidates.prefix(replicaCount).contains($0) }
        let nearest = latencies?.nearestFirst(usableReplicas) ?? usableReplicas
        let ordered = nearest + usable.filter { !usableReplicas.contains($0) } + candidates.filter { !$0.isSelf && !$0.isUsable }
        let outcome = await hedgedFetch(id: id, from: ordered)
        if let bytes = outcome.bytes {
            cache?.noteFetch()
            cache?.insert(id, bytes)
            let replicas = candidates.prefix(replicaCount)
            repair(id: id, bytes: bytes, peers: outcome.missing.filter { replicas.contains($0) })
            return bytes
        }
        if !candidates.prefix(replicaCount).contains(where: \.isSelf), let bytes = try await local.get(id) {
            cache?.noteLocalRead()
            return bytes
        }
        throw DataPathError.chunkUnavailable(chunk: id, failures: outcome.failures)
    }

    private struct Outcome {
        var bytes: [UInt8]?
        var failures: [PeerFailure] = []
        var missing: [PlacementPeer] = []
    }

    private enum Event: Sendable {
        case answer(PlacementPeer, Result<[UInt8], Error>)
        case hedge(generation: Int)
    }

    /// Asks `peers` one after the other: the next as soon as one fails, or in parallel
    /// when the current one has not answered within the hedge delay.
    private func hedgedFetch(id: ChunkID, from peers: [PlacementPeer]) async -> Outcome {
        await withTaskGroup(of: Event.self) { group in
            var outcome = Outcome()
            var next = 0
            var inFlight = 0
            var generation = 0
            func launch(_ group: inout TaskGroup<Event>) {
                guard next < peers.count else { return }
                let peer = peers[next]
                next += 1
                inFlight += 1
                generation += 1
                let current = generation
                let delay = latencies?.hedgeDelay(for: peer.nodeID, fallback: hedgeDelay) ?? hedgeDelay
                group.addTask { .answer(peer, await fetchVerified(id: id, from: peer)) }
                group.addTask {
                    try? await Task.sleep(for: delay)  // the hedge timer
                    return .hedge(generation: current)
                }
            }
            launch(&group)
            while let event = await group.next() {
                switch event {
                case .hedge(let fired):
                    if fired == generation, inFlight > 0 { launch(&group) }
                case .answer(_, .success(let bytes)):
                    group.cancelAll()
                    outcome.bytes = bytes
                    return outcome
                case .answer(let peer, .failure(let error)):
                    inFlight -= 1
                    if case TransportError.remote(404, _) = error { outcome.missing.append(peer) }
                    outcome.failures.append(PeerFailure(peer: peer.nodeID, error: error))
                    launch(&group)
                }
                if inFlight == 0 && next >= peers.count {
                    group.cancelAll()
                    break
                }
            }
            return outcome
        }
    }

    private func fetchVerified(id: ChunkID, from peer: PlacementPeer) async -> Result<[UInt8], Error> {
        do {
            let bytes = try await calls.call(ChunkMessages.Fetch(id: id), on: peer, timeout: timeout)
            let actual = ChunkID(hashing: bytes)
            guard actual == id else {
                logger.warning("peer returned wrong bytes for a chunk", metadata: ["peer": "\(peer.nodeID.short)", "chunk": "\(id)"])
                return .failure(ContentError.chunkHashMismatch(expected: id, actual: actual))
            }
            return .success(bytes)
        } catch {
            return .failure(error)
        }
    }

    /// Gives the chunk back to replicas that should have had it, in the background.
    private func repair(id: ChunkID, bytes: [UInt8], peers: [PlacementPeer]) {
        let request = ChunkMessages.Store(id: id, bytes: bytes)
        for peer in peers where peer.isUsable {
            let calls = calls, logger = logger, timeout = timeout
            background.spawn {
                do {
                    try await calls.call(request, on: peer, timeout: timeout)
                    logger.info("read repair", metadata: ["peer": "\(peer.nodeID.short)", "chunk": "\(id.description.prefix(16))"])
                } catch {
                    logger.debug("read repair failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }
}
