import Foundation
import Synchronization

/// A one-line progress bar on stderr — bytes, rate, ETA — shown only when stderr is a
/// terminal and not `--quiet`.
final class ProgressBar: Sendable {
    private struct State {
        var total: UInt64?
        var done: UInt64 = 0
        var lastDraw: ContinuousClock.Instant?
    }

    private let label: String
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(2) == 1
    }

    func setTotal(_ total: UInt64) { state.withLock { $0.total = total } }

    func update(_ done: UInt64) {
        guard enabled else { return }
        let line: String? = state.withLock { state in
            state.done = done
            let now = ContinuousClock.now
            if let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
            state.lastDraw = now
            return render(state, now: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line).utf8)) }
    }

    func finish() {
        guard enabled else { return }
        let line = state.withLock { render($0, now: .now) }
        FileHandle.standardError.write(Data(("\r" + line + "\n").utf8))
    }

    private func render(_ state: State, now: ContinuousClock.Instant) -> String {
        let seconds = max(0.001, Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds))
        let rate = Double(state.done) / seconds
        var text = "\(label) \(Self.size(Double(state.done)))"
        if let total = state.total, total > 0 {
            let fraction = min(1, Double(state.done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            text += " / \(Self.size(Double(total))) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            if rate > 0 { text += " ETA \(Int((Double(total - min(total, state.done))) / rate))s" }
        }
        return text + " \(Self.size(rate))/s   "
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
