import Logging
import Workers

/// The shape every replicated write shares (chunks and signed records): one write per
/// preference-list peer in parallel, a down or failing peer replaced by a stand-in (the next
/// healthy peer clockwise, told whom it stands in for), done once W acknowledged; the other
/// writes finish in the background.
struct QuorumWrite {
    /// One replica: its intended peer and the stand-ins to try, in order, if it fails.
    struct Replica: Sendable {
        var target: PlacementPeer
        var standIns: [PlacementPeer]
    }

    let replicas: [Replica]
    let required: Int

    /// Plans a write of `key` on `snapshot`: stand-ins come from beyond the preference list,
    /// each used first for at most one down target.
    init(key: [UInt8], snapshot: PlacementSnapshot) {
        let targets = snapshot.preferenceList(for: key)
        var standIns = snapshot.successors(for: key).dropFirst(targets.count).filter(\.isUsable)[...]
        var replicas: [Replica] = []
        for target in targets {
            var reserve: [PlacementPeer] = []
            if !target.isUsable, let standIn = standIns.popFirst() { reserve.append(standIn) }
            replicas.append(Replica(target: target, standIns: reserve + Array(standIns.prefix(1))))
        }
        self.replicas = replicas
        self.required = snapshot.requiredAcks(for: key)
    }

    /// Who holds the key now: each target that is up, or else the stand-in a write would use for it.
    var holders: [PlacementPeer] {
        replicas.compactMap { $0.target.isUsable ? $0.target : $0.standIns.first }
    }

    /// Runs `send(peer, intended)` for every replica (`intended` is nil for the target itself,
    /// the target's NodeID bytes for a stand-in), each as a background job of the node, and
    /// returns once W acknowledged or every replica finished: the acknowledgements counted
    /// and the failures seen by then. The writes beyond W go on in the background until
    /// they end or the node stops; a write the node can no longer start counts as failed.
    func run(
        in background: BackgroundTasks, logger: Logger, _ send: @escaping @Sendable (PlacementPeer, [UInt8]?) async throws -> Void
    ) async -> (acknowledged: Int, failures: [PeerFailure]) {
        let (results, continuation) = AsyncStream.makeStream(of: Result<Void, PeerFailure>.self)
        for replica in replicas {
            let started = background.spawn { continuation.yield(await Self.write(replica, logger: logger, send)) }
            if !started { continuation.yield(.failure(PeerFailure(peer: replica.target.nodeID, error: PeerNodeError.notStarted))) }
        }
        var acknowledged = 0
        var failures: [PeerFailure] = []
        var finished = 0
        for await result in results {
            finished += 1
            switch result {
            case .success: acknowledged += 1
            case .failure(let failure): failures.append(failure)
            }
            if acknowledged >= required || finished == replicas.count { break }
        }
        return (acknowledged, failures)
    }

    /// Writes one replica: to the target when it is up, else (or when that fails) to a
    /// stand-in; a failure names the last peer tried.
    private static func write(
        _ replica: Replica, logger: Logger, _ send: @Sendable (PlacementPeer, [UInt8]?) async throws -> Void
    ) async -> Result<Void, PeerFailure> {
        var lastFailure = PeerFailure(peer: replica.target.nodeID, error: DataPathError.noPeers)
        if replica.target.isUsable {
            do {
                try await send(replica.target, nil)
                return .success(())
            } catch {
                lastFailure = PeerFailure(peer: replica.target.nodeID, error: error)
                if lastFailure.isFull {
                    logger.info("a replica is full; placing its copy on a stand-in", metadata: [
                        "peer": "\(replica.target.nodeID.short)", "stand-ins": "\(replica.standIns.count)",
                    ])
                } else {
                    logger.debug("replica write failed, trying a stand-in", metadata: ["peer": "\(replica.target.nodeID.short)", "error": "\(error)"])
                }
            }
        } else {
            lastFailure = PeerFailure(peer: replica.target.nodeID, error: PeerNodeError.peerDown(state: replica.target.state))
        }
        for standIn in replica.standIns {
            do {
                try await send(standIn, replica.target.nodeID.bytes)
                return .success(())
            } catch {
                lastFailure = PeerFailure(peer: standIn.nodeID, error: error)
            }
        }
        return .failure(lastFailure)
    }
}
