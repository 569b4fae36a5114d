import Ring
import Synchronization
import Transport

/// A peer as placement sees it: where to reach it and whether it answers.
public struct PlacementPeer: Sendable, Equatable {
    public var nodeID: NodeID
    public var address: String
    public var zone: String
    /// A dead peer keeps its place until the removal grace ends.
    public var state: State
    public var isSelf: Bool

    /// What membership last said of a peer on the ring.
    public enum State: String, Sendable {
        case alive, suspect, dead
    }

    public var isUsable: Bool { state == .alive || state == .suspect }
}

/// One consistent view of the ring and of the peers on it.
public struct PlacementSnapshot: Sendable {
    public let ring: Ring
    public let peers: [RingNodeID: PlacementPeer]
    public let replicas: Int
    public let writeQuorum: Int

    /// The N peers that should hold `key`, primary first.
    public func preferenceList(for key: [UInt8]) -> [PlacementPeer] {
        ring.preferenceList(forKey: key).compactMap { peers[$0.id] }
    }

    /// The preference list followed by every other peer in ring order: where to fall back.
    public func successors(for key: [UInt8]) -> [PlacementPeer] {
        ring.successors(forKey: key, count: peers.count).compactMap { peers[$0.id] }
    }

    /// Acknowledgements a write of `key` needs: W, or every copy when fewer than W peers exist.
    public func requiredAcks(for key: [UInt8]) -> Int {
        min(writeQuorum, ring.preferenceList(forKey: key).count)
    }
}

/// The current placement, replaced as a whole when membership changes and read without
/// waiting by every put and get.
public final class Placement: Sendable {
    private let current: Mutex<PlacementSnapshot>

    init(_ snapshot: PlacementSnapshot) {
        current = Mutex(snapshot)
    }

    public var snapshot: PlacementSnapshot { current.withLock { $0 } }

    /// Whether `nodeID` is another peer of the current placement (one a hint may be kept for).
    func placesOther(_ nodeID: [UInt8]) -> Bool {
        guard let ringID = RingNodeID(bytes: nodeID), let peer = snapshot.peers[ringID] else { return false }
        return !peer.isSelf
    }

    func replace(_ snapshot: PlacementSnapshot) {
        current.withLock { $0 = snapshot }
    }
}
