import Synchronization
import Transport

/// The holder's side of record subscriptions: which peers asked to be told when a newer
/// record is stored under a key, until when. In memory only: a subscriber renews its lease
/// well before it runs out, so a restarted holder is back in the loop within one renewal.
/// Bounded per subscriber and in total, so no peer can make a holder grow without limit.
final class RecordLeases: Sendable {
    /// How long a lease lasts unless renewed.
    static let duration = Duration.seconds(90)
    /// How often a subscriber renews its leases.
    static let renewalInterval = Duration.seconds(30)
    /// Keys one subscriber may hold leases on at one holder.
    static let maximumPerSubscriber = 1024
    /// Leases one holder keeps at most.
    static let maximumTotal = 65_536

    private struct State {
        var leases: [[UInt8]: [NodeID: ContinuousClock.Instant]] = [:]
        var perSubscriber: [NodeID: Int] = [:]
        var total = 0
    }

    private let state = Mutex(State())

    /// Grants or renews `subscriber`'s lease on `key` until `now + duration`; a zero duration
    /// cancels it. False when a new lease would exceed a bound.
    func grant(key: [UInt8], to subscriber: NodeID, for duration: Duration, now: ContinuousClock.Instant) -> Bool {
        guard duration > .zero else {
            cancel(key: key, subscriber: subscriber)
            return true
        }
        return state.withLock { state in
            if state.leases[key]?[subscriber] == nil {
                let full = state.total >= Self.maximumTotal || state.perSubscriber[subscriber, default: 0] >= Self.maximumPerSubscriber
                if full { Self.pruneExpired(now: now, in: &state) }
                guard state.total < Self.maximumTotal,
                      state.perSubscriber[subscriber, default: 0] < Self.maximumPerSubscriber else { return false }
                state.total += 1
                state.perSubscriber[subscriber, default: 0] += 1
            }
            state.leases[key, default: [:]][subscriber] = now + duration
            return true
        }
    }

    func cancel(key: [UInt8], subscriber: NodeID) {
        state.withLock { state in Self.remove(key: key, subscriber: subscriber, from: &state) }
    }

    /// The peers with a live lease on `key`; expired leases of the key are dropped.
    func subscribers(of key: [UInt8], now: ContinuousClock.Instant) -> [NodeID] {
        state.withLock { state in
            guard let leases = state.leases[key] else { return [] }
            for (subscriber, expiry) in leases where expiry <= now { Self.remove(key: key, subscriber: subscriber, from: &state) }
            return state.leases[key].map { Array($0.keys) } ?? []
        }
    }

    /// Drops every expired lease: run on the holder's own schedule, so subscribers that
    /// vanished (and keys never written again) do not keep their slots.
    func pruneExpired(now: ContinuousClock.Instant) {
        state.withLock { Self.pruneExpired(now: now, in: &$0) }
    }

    private static func pruneExpired(now: ContinuousClock.Instant, in state: inout State) {
        for (key, leases) in state.leases {
            for (subscriber, expiry) in leases where expiry <= now { remove(key: key, subscriber: subscriber, from: &state) }
        }
    }

    /// Leases kept now, live or not yet pruned.
    var count: Int { state.withLock { $0.total } }

    private static func remove(key: [UInt8], subscriber: NodeID, from state: inout State) {
        guard state.leases[key]?.removeValue(forKey: subscriber) != nil else { return }
        if state.leases[key]?.isEmpty == true { state.leases[key] = nil }
        state.total -= 1
        state.perSubscriber[subscriber, default: 1] -= 1
        if state.perSubscriber[subscriber] == 0 { state.perSubscriber[subscriber] = nil }
    }
}
