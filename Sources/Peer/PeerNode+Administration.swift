import APIModel
import Logging
import Membership
import Transport

/// Why an operator's request about a peer was refused (`p2p peer remove|drain`).
public enum PeerAdministrationError: Error, Equatable, CustomStringConvertible {
    /// Not a NodeID this peer knows (or not a NodeID at all).
    case unknownPeer(String)
    /// `remove` names this peer itself: stop it, or drain it.
    case removingSelf
    /// `remove` names a peer this peer sees alive.
    case alive(String)
    /// `drain` names another peer: only its own operator may drain it.
    case drainingOther(String)
    /// Without this peer, fewer peers than N would remain to hold each chunk.
    case tooFewPeers(remaining: Int, replicas: Int)

    public var description: String {
        switch self {
        case .unknownPeer(let id): "no member \(id) in this peer's membership (see p2p peer list)"
        case .removingSelf: "cannot remove this peer itself: stop it, or drain it with p2p peer drain"
        case .alive(let id): "peer \(id) is alive: stop it first, or drain it (p2p peer drain, run against that peer)"
        case .drainingOther(let id): "a peer drains itself only: run p2p peer drain \(id) with that peer's home (--home)"
        case .tooFewPeers(let remaining, let replicas):
            "cannot drain: \(remaining) other peer\(remaining == 1 ? "" : "s") alive, each chunk needs \(replicas); add a peer first"
        }
    }
}

/// The operator's requests about members: remove a failed one now, drain this one.
extension PeerNode {
    /// Takes a failed member out of the placement now, here and on every member that
    /// answers (`MembershipDriver+Removal`): repair re-replicates its share at once.
    public func removePeer(_ text: String) async throws(PeerAdministrationError) -> PeerRemoval {
        guard let id = NodeID(text) else { throw .unknownPeer(text) }
        let removed: Member
        do {
            removed = try await membership.removeFailedMember(id.identifier)
        } catch {
            switch error {
            case .isSelf: throw .removingSelf
            case .unknown: throw .unknownPeer(text)
            case .alive: throw .alive(text)
            }
        }
        let others = await membership.membersToTell(about: removed.id)
        let request = ControlMessages.RemoveMember(member: removed.id, incarnation: removed.incarnation)
        let pool = pool, logger = logger
        let told = await withTaskGroup(of: Bool.self) { group in
            for member in others {
                group.addTask {
                    do {
                        try await pool.call(request, at: member.address, expecting: NodeID(member.id), timeout: .seconds(5))
                        return true
                    } catch {
                        logger.warning("member not told of a removal", metadata: ["peer": "\(NodeID(member.id).short)", "error": "\(error)"])
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        return PeerRemoval(nodeID: text, incarnation: removed.incarnation, told: told, members: others.count)
    }

    /// Asks the daemon to drain this peer: hand every chunk off until each is at N on the
    /// others, then leave and stop. `text` must be this peer's NodeID (a confirmation, and
    /// no peer can drain another). Asking again while draining changes nothing.
    public func requestDrain(_ text: String) async throws(PeerAdministrationError) -> DrainProgress {
        guard let id = NodeID(text) else { throw .unknownPeer(text) }
        guard id == nodeID else { throw .drainingOther(text) }
        if let handOffProgress { return handOffProgress }
        let others = await membership.members.filter { $0.state == .alive && $0.id != id.identifier }.count
        let replicas = configuration.network.replicas
        guard others >= replicas else { throw .tooFewPeers(remaining: others, replicas: replicas) }
        logger.notice("drain requested by the operator")
        handOffProgress = DrainProgress(state: .draining)
        drainRequested.yield()
        return DrainProgress(state: .draining)
    }

    /// The drain's progress; nil when none was asked for.
    public var drainProgress: DrainProgress? { handOffProgress }

    /// Drains: `leave` until every chunk is at N elsewhere, however long that takes.
    public func drain() async -> HandOffReport {
        await leave(handOffTimeout: .seconds(100 * 365 * 86_400), untilAtN: true)
    }
}

/// Revocation (`p2p network revoke`, `NetworkKeyService`).
extension PeerNode {
    /// Shuts `texts` (NodeIDs) out of the network: a new network secret for every other member.
    public func revoke(_ texts: [String]) async throws(RevocationError) -> NetworkRevocation {
        var nodes = Set<NodeID>()
        for text in texts {
            guard let node = NodeID(text) else { throw .unknownPeer(text) }
            nodes.insert(node)
        }
        return try await networkKeys.revoke(nodes)
    }

    /// The key in force (its name, never the secret), its epoch and the revoked members.
    public var network: NetworkRevocation {
        let keys = credentials.keyring.keys
        return NetworkRevocation(epoch: keys.epoch, key: keys.current.name, revoked: keys.revoked.map(\.description).sorted())
    }
}
