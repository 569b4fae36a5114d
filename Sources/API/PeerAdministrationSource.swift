import APIModel
import Peer

/// What the peer routes need from the node: the operator's requests about members.
///
/// A seam so the routes can be tested without sockets and the node can change behind it.
public protocol PeerAdministrationSource: Sendable {
    /// Takes a failed member out of the placement now and tells the others.
    func removePeer(_ nodeID: String) async throws(PeerAdministrationError) -> PeerRemoval
    /// Starts draining this peer (the NodeID must be its own).
    func requestDrain(_ nodeID: String) async throws(PeerAdministrationError) -> DrainProgress
    /// The drain's progress; nil when none was asked for.
    var drainProgress: DrainProgress? { get async }
    /// Revokes members: a new network secret for all the others.
    func revoke(_ nodeIDs: [String]) async throws(RevocationError) -> NetworkRevocation
    /// The network's key in force (by name) and the revoked members.
    var network: NetworkRevocation { get async }
}

extension PeerNode: PeerAdministrationSource {}
