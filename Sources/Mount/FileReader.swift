import Synchronization

/// One open file of a mount: the reader behind one file handle, kept from `open` to
/// `release` so that reads share its window instead of each starting a new transfer.
///
/// Streaming is detected (a read that starts where the last one ended, or inside the
/// window already fetched): the window then doubles, from `minimumWindow` up to
/// `maximumWindow`, and the next window is fetched ahead while the application consumes
/// this one. A read elsewhere is random access: exactly its bytes are fetched, nothing ahead.
public final class FileReader: Sendable {
    public typealias Fetch = @Sendable (Range<UInt64>) async throws -> [UInt8]

    public static let minimumWindow: UInt64 = 128 << 10
    public static let maximumWindow: UInt64 = 8 << 20

    public let size: UInt64
    private let fetch: Fetch
    private let timeout: Duration

    private struct State {
        /// The bytes fetched last, starting at `start`.
        var start: UInt64 = 0
        var bytes: [UInt8] = []
        /// Where the last read ended.
        var lastEnd: UInt64 = 0
        var window: UInt64 = FileReader.minimumWindow
        /// The window being fetched ahead, if any.
        var ahead: (range: Range<UInt64>, task: Task<[UInt8], any Error>)?

        var end: UInt64 { start + UInt64(bytes.count) }
    }

    private let state = Mutex(State())

    public init(size: UInt64, timeout: Duration = .seconds(60), fetch: @escaping Fetch) {
        self.size = size
        self.timeout = timeout
        self.fetch = fetch
    }

    deinit {
        state.withLock { $0.ahead?.task.cancel() }
    }

    /// Up to `count` bytes at `offset` (fewer only at the end of the file).
    public func read(offset: UInt64, count: Int) throws(MountError) -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let end = min(size, offset + UInt64(count))
        // One read at a time per handle: the window is shared state.
        return try state.withLock { (state) throws(MountError) -> [UInt8] in
            let streaming = offset == state.lastEnd || (state.start...state.end).contains(offset)
                || (state.ahead.map { $0.range.contains(offset) } ?? false)
            if streaming {
                state.window = min(Self.maximumWindow, state.window * 2)
            } else {
                state.window = Self.minimumWindow
                state.ahead?.task.cancel()
                state.ahead = nil
            }
            state.lastEnd = end

            var output: [UInt8] = []
            output.reserveCapacity(Int(end - offset))
            var position = offset
            while position < end {
                if position >= state.start && position < state.end {
                    let from = Int(position - state.start), to = Int(min(end, state.end) - state.start)
                    output.append(contentsOf: state.bytes[from..<to])
                    position += UInt64(to - from)
                    continue
                }
                if let ahead = state.ahead, ahead.range.contains(position) {
                    state.ahead = nil
                    state.bytes = try wait(ahead.task)
                    state.start = ahead.range.lowerBound
                    continue
                }
                let upper = streaming ? min(size, position + max(state.window, end - position)) : end
                let range = position..<upper
                let fetch = fetch
                state.bytes = try Blocking.run(timeout: timeout) { try await fetch(range) }
                state.start = position
            }
            if streaming, state.ahead == nil, state.end < size, state.end > offset {
                let range = state.end..<min(size, state.end + state.window)
                let fetch = fetch
                state.ahead = (range, Task { try await fetch(range) })
            }
            return output
        }
    }

    private func wait(_ task: Task<[UInt8], any Error>) throws(MountError) -> [UInt8] {
        try Blocking.run(timeout: timeout) { try await task.value }
    }
}
