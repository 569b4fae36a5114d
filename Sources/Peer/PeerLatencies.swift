import Synchronization
import Transport

/// How long each peer takes to answer a small request, smoothed as TCP smooths its round
/// trip (RFC 6298: 7/8 of the old estimate, 1/8 of the new sample). Fed by `PeerPool` from
/// every small RPC — membership packets alone sample each peer every few seconds —
/// and read by the read path, which asks the nearest replica first and derives its hedge
/// delay from that replica's figure (docs/netlab.md, "Behaviour at distance").
final class PeerLatencies: Sendable {
    private let estimates = Mutex<[NodeID: Duration]>([:])

    init() {}

    /// Folds one measured answer time into `peer`'s estimate.
    func record(_ sample: Duration, for peer: NodeID) {
        estimates.withLock { estimates in
            if let old = estimates[peer] {
                estimates[peer] = old * 7 / 8 + sample / 8
            } else {
                estimates[peer] = sample
            }
        }
    }

    /// The smoothed answer time of `peer`; nil before its first answer.
    func estimate(for peer: NodeID) -> Duration? {
        estimates.withLock { $0[peer] }
    }

    /// Every estimate, for status.
    var all: [NodeID: Duration] { estimates.withLock { $0 } }

    /// `peers` nearest first; peers never measured keep their order after those measured.
    func nearestFirst(_ peers: [PlacementPeer]) -> [PlacementPeer] {
        let known = estimates.withLock { estimates in peers.map { estimates[$0.nodeID] } }
        return zip(peers, known).enumerated()
            .sorted { a, b in
                switch (a.element.1, b.element.1) {
                case let (x?, y?) where x != y: x < y
                case (.some, nil): true
                case (nil, .some): false
                default: a.offset < b.offset
                }
            }
            .map(\.element.0)
    }

    /// How long to wait for `peer` before asking another replica as well: twice its
    /// smoothed answer time plus a margin for the chunk's own transfer, within bounds;
    /// `fallback` while it has never answered.
    func hedgeDelay(for peer: NodeID, fallback: Duration) -> Duration {
        guard let estimate = estimate(for: peer) else { return fallback }
        return min(max(estimate * 2 + Self.hedgeMargin, Self.hedgeMargin), Self.longestHedgeDelay)
    }

    /// Added to twice the answer time: a 256 KiB chunk's transfer and the callee's disk read.
    static let hedgeMargin = Duration.milliseconds(20)
    /// No replica is waited for longer than this before the next is asked too.
    static let longestHedgeDelay = Duration.seconds(2)
}
