import APIModel
import Peer

/// What the status routes need from the node: its view of the network.
///
/// A seam so the routes can be tested without sockets and the node can change behind it.
public protocol StatusSource: Sendable {
    func status() async -> NodeStatus
}

extension PeerNode: StatusSource {}
