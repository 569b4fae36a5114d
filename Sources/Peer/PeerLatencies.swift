import Synchronization
import Transport

/// How long each peer takes to answer a small request. Fed by `PeerPool` from every small
/// RPC — membership packets alone sample each peer every few seconds — and read by the read
/// path (docs/netlab.md, "Behaviour at distance"), two ways:
/// - its **distance**, the least of its last `window` answer times: queueing and a busy
///   callee only ever add to an answer time, so the minimum is what the link costs (as
///   BBR keeps its min RTT); replicas are asked nearest first by it;
/// - its **smoothed** answer time, as TCP smooths its round trip (RFC 6298: 7/8 of the old
///   estimate, 1/8 of the new sample), load included: the hedge delay follows it.
final class PeerLatencies: Sendable {
    private struct Estimate {
        var smoothed: Duration
        var recent: [Duration]
        var next = 0
    }

    private let estimates = Mutex<[NodeID: Estimate]>([:])
    /// Answer times the distance is the minimum of.
    static let window = 16

    init() {}

    /// Folds one measured answer time into `peer`'s figures.
    func record(_ sample: Duration, for peer: NodeID) {
        estimates.withLock { estimates in
            guard var estimate = estimates[peer] else {
                estimates[peer] = Estimate(smoothed: sample, recent: [sample], next: 1)
                return
            }
            estimate.smoothed = estimate.smoothed * 7 / 8 + sample / 8
            if estimate.recent.count < Self.window {
                estimate.recent.append(sample)
            } else {
                estimate.recent[estimate.next % Self.window] = sample
            }
            estimate.next += 1
            estimates[peer] = estimate
        }
    }

    /// The smoothed answer time of `peer`; nil before its first answer.
    func smoothed(for peer: NodeID) -> Duration? {
        estimates.withLock { $0[peer]?.smoothed }
    }

    /// The least of `peer`'s recent answer times; nil before its first answer.
    func distance(to peer: NodeID) -> Duration? {
        estimates.withLock { $0[peer]?.recent.min() }
    }

    /// Every peer's distance, for status.
    var distances: [NodeID: Duration] {
        estimates.withLock { $0.compactMapValues { $0.recent.min() } }
    }

    /// `peers` nearest first; peers never measured keep their order after those measured.
    func nearestFirst(_ peers: [PlacementPeer]) -> [PlacementPeer] {
        let known = peers.map { distance(to: $0.nodeID) }
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
        guard let estimate = smoothed(for: peer) else { return fallback }
        return min(estimate * 2 + Self.hedgeMargin, Self.longestHedgeDelay)
    }

    /// Added to twice the answer time: a 256 KiB chunk's transfer and the callee's disk read.
    static let hedgeMargin = Duration.milliseconds(20)
    /// No replica is waited for longer than this before the next is asked too.
    static let longestHedgeDelay = Duration.seconds(2)
}
