import Foundation
import Synchronization

/// Which of the files the gateway knows are still used by a live object, so that a file no
/// object uses any more is released (its owner's leases end; docs/gc.md). Counted over every
/// bucket; a file is released only after it has been unused for `quiet`, so that a put that
/// stored it again and is about to name it in an entry is never undercut.
final class ReferenceCounter: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        /// Files with no live object, and when they last changed.
        var idle: [String: Date] = [:]
    }

    let quiet: TimeInterval
    private let state = Mutex(State())

    init(quiet: TimeInterval = 60) {
        self.quiet = quiet
    }

    /// An object entry changed from `old` to `new`.
    func changed(from old: ObjectEntry?, to new: ObjectEntry) {
        state.withLock { state in
            if let old, !old.deleted { for part in old.parts { Self.add(-1, part.cap, &state) } }
            if !new.deleted { for part in new.parts { Self.add(1, part.cap, &state) } }
        }
    }

    /// A file was stored (a put, a part): it stays unreleased for `quiet` at least.
    func touch(_ capability: String, holding: Int = 0) {
        state.withLock { state in Self.add(holding, capability, &state) }
    }

    /// Ends a hold taken with `touch(_:holding:)`.
    func drop(_ capability: String) {
        state.withLock { state in Self.add(-1, capability, &state) }
    }

    /// The files unused for `quiet` as of `now`; they are forgotten.
    func releasable(now: Date = Date()) -> [String] {
        state.withLock { state in
            let due = state.idle.filter { now.timeIntervalSince($0.value) >= quiet }.map(\.key)
            for capability in due { state.idle[capability] = nil }
            return due
        }
    }

    func count(_ capability: String) -> Int {
        state.withLock { $0.counts[capability] ?? 0 }
    }

    private static func add(_ delta: Int, _ capability: String, _ state: inout State) {
        let count = (state.counts[capability] ?? 0) + delta
        state.counts[capability] = count > 0 ? count : nil
        state.idle[capability] = count > 0 ? nil : Date()
    }
}
