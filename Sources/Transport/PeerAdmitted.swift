/// User event fired by `AdmissionHandler` when the peer proved it holds the network secret.
/// Nothing above the admission handler sees a byte from the peer before this event.
public struct PeerAdmitted: Sendable {
    public let peer: NodeID
}
