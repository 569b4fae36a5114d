import Foundation
import Synchronization

/// A one-line progress bar on stderr — bytes, rate, ETA — shown only when stderr is a
/// terminal, not `--quiet`, and the transfer is not tiny; a finished transfer leaves a
/// line with its size, time and rate.
final class ProgressBar: Sendable {
    /// Below this the transfer is over before a bar could say anything.
    static let smallestShown: UInt64 = 1 << 20

    private struct State {
        var total: UInt64?
        var done: UInt64 = 0
        var lastDraw: ContinuousClock.Instant?
        /// When the first byte moved: the rate and the ETA leave out connecting and waiting.
        var firstByte: ContinuousClock.Instant?
        var tiny = false
    }

    private let label: String
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(2) == 1
    }

    func setTotal(_ total: UInt64) {
        state.withLock {
            $0.total = total
            $0.tiny = total < Self.smallestShown
        }
    }

    func update(_ done: UInt64) {
        guard enabled else { return }
        let line: String? = state.withLock { state in
            let now = ContinuousClock.now
            if state.firstByte == nil { state.firstByte = now }
            state.done = done
            if state.tiny { return nil }
            if let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
            state.lastDraw = now
            return render(state, now: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line).utf8)) }
    }

    /// Replaces the bar with `get 12.0 MiB in 1.3 s (9.2 MiB/s)`.
    func finish() {
        guard enabled else { return }
        let line: String? = state.withLock { state in
            guard !state.tiny, state.total != nil || state.done >= Self.smallestShown else { return nil }
            let seconds = Self.seconds(.now - started)
            return "\(label) \(Self.size(Double(state.done))) in \(String(format: "%.1f", seconds)) s (\(Self.size(Double(state.done) / max(seconds, 0.001)))/s)"
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K\n").utf8)) }
    }

    private func render(_ state: State, now: ContinuousClock.Instant) -> String {
        let rate = Double(state.done) / max(0.001, Self.seconds(now - (state.firstByte ?? started)))
        var text = "\(label) \(Self.size(Double(state.done)))"
        if let total = state.total, total > 0 {
            let fraction = min(1, Double(state.done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            text += " / \(Self.size(Double(total))) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            if rate > 0 { text += " ETA \(Int((Double(total - min(total, state.done)) / rate).rounded(.up)))s" }
        }
        return text + " \(Self.size(rate))/s\u{1B}[K"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }
}
