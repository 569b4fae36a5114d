import Synchronization

/// One open file of a mount: the reader behind one file handle, kept from `open` to
/// `release` so that reads share what it fetched instead of each starting a transfer.
///
/// - Random access (the default): a read fetches exactly its bytes, nothing ahead.
/// - Streaming: once reads have followed each other for `streamingThreshold` bytes, the
///   reader keeps `windowsAhead` windows of `window` bytes in flight past the read position,
///   so the peer's pipeline never drains while the application consumes what arrived.
///
/// No lock is held while bytes are fetched: reads of other ranges, and the kernel's
/// concurrent read-ahead requests, go on meanwhile. A window whose fetch failed is
/// dropped and its bytes fetched again directly, so one transient error costs a retry,
/// not an `EIO`.
public final class FileReader: Sendable {
    public typealias Fetch = @Sendable (Range<UInt64>) async throws -> [UInt8]

    /// Contiguous bytes after which reads count as a stream.
    public static let streamingThreshold: UInt64 = 512 << 10
    /// Bytes per window of a stream, and windows kept in flight ahead of the reader.
    public static let window: UInt64 = 4 << 20
    public static let windowsAhead = 4
    /// How far from the last read a read still continues the stream (the kernel's
    /// read-ahead requests arrive out of order from several threads).
    static let slack: UInt64 = 2 << 20

    public let size: UInt64
    private let fetch: Fetch
    private let timeout: Duration

    private struct Window {
        var range: Range<UInt64>
        var task: Task<[UInt8], any Error>
        /// The bytes, once a read has waited for them: later reads copy them under the lock,
        /// without a task or a thread switch (a 4 MiB window serves 32 reads of 128 KiB).
        var bytes: [UInt8]?
    }

    private struct State {
        var lastEnd: UInt64 = 0
        var contiguous: UInt64 = 0
        /// The stream's windows, in order, none overlapping.
        var windows: [Window] = []

        mutating func dropWindows(where predicate: (Window) -> Bool) {
            for window in windows where predicate(window) { window.task.cancel() }
            windows.removeAll(where: predicate)
        }
    }

    private let state = Mutex(State())

    public init(size: UInt64, timeout: Duration = .seconds(60), fetch: @escaping Fetch) {
        self.size = size
        self.timeout = timeout
        self.fetch = fetch
    }

    deinit {
        state.withLock { $0.dropWindows { _ in true } }
    }

    /// Up to `count` bytes at `offset` (fewer only at the end of the file).
    public func read(offset: UInt64, count: Int) throws(MountError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(0, count))
        let outcome = output.withUnsafeMutableBytes { buffer -> Result<Int, MountError> in
            do throws(MountError) { return .success(try read(offset: offset, into: buffer)) } catch { return .failure(error) }
        }
        output.removeSubrange(try outcome.get()...)
        return output
    }

    /// Reads at `offset` into `destination` (as many bytes as it holds, fewer only at the
    /// end of the file) and returns how many were written: the bytes go from the window
    /// straight to the kernel's buffer.
    public func read(offset: UInt64, into destination: UnsafeMutableRawBufferPointer) throws(MountError) -> Int {
        guard offset < size, destination.count > 0 else { return 0 }
        let end = offset + min(UInt64(destination.count), size - offset)
        /// Copies the part of `bytes` (which start at `start`) that lies in the read.
        func copy(_ bytes: [UInt8], from start: UInt64) {
            let lower = max(offset, start), upper = min(end, start + UInt64(bytes.count))
            guard lower < upper else { return }
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: destination[Int(lower - offset)..<Int(upper - offset)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[Int(lower - start)..<Int(upper - start)]))
            }
        }
        let waiting: [Window]? = state.withLock { state in
            let near = offset + Self.slack >= state.lastEnd && offset <= state.lastEnd + Self.slack
            state.contiguous = near ? state.contiguous + (end - offset) : end - offset
            state.lastEnd = near ? max(state.lastEnd, end) : end
            guard state.contiguous >= Self.streamingThreshold else {
                state.dropWindows { _ in true }
                return nil
            }
            // A straggler of the kernel's read-ahead, behind the first window but within the
            // slack: served directly, the stream left as it is.
            if let first = state.windows.first, offset < first.range.lowerBound { return nil }
            // Windows well behind the reader are done with (not the one it just left: another
            // thread may still be copying from it); new ones keep the stream ahead.
            state.dropWindows { $0.range.upperBound + Self.slack <= offset }
            var next = state.windows.last?.range.upperBound ?? offset
            if next < offset {
                state.dropWindows { _ in true }
                next = offset
            }
            let horizon = min(size, end + Self.window * UInt64(Self.windowsAhead))
            while next < horizon {
                let range = next..<min(size, next + Self.window)
                let fetch = fetch
                state.windows.append(Window(range: range, task: Task { try await fetch(range) }))
                next = range.upperBound
            }
            let covering = state.windows.filter { $0.range.overlaps(offset..<end) }
            guard covering.allSatisfy({ $0.bytes != nil }) else { return covering }
            for window in covering { copy(window.bytes!, from: window.range.lowerBound) }
            return []
        }
        guard let waiting else {
            copy(try fetchDirectly(offset..<end), from: offset)
            return Int(end - offset)
        }
        for window in waiting {
            do throws(MountError) {
                let bytes: [UInt8]
                if let ready = window.bytes { bytes = ready } else { bytes = try Blocking.run(timeout: timeout) { try await window.task.value } }
                guard UInt64(bytes.count) == UInt64(window.range.count) else { throw MountError.io("a window came back short") }
                state.withLock { state in
                    if let index = state.windows.firstIndex(where: { $0.range == window.range }) { state.windows[index].bytes = bytes }
                }
                copy(bytes, from: window.range.lowerBound)
            } catch {
                state.withLock { $0.dropWindows { $0.range == window.range } }
                let wanted = max(offset, window.range.lowerBound)..<min(end, window.range.upperBound)
                copy(try fetchDirectly(wanted), from: wanted.lowerBound)
            }
        }
        return Int(end - offset)
    }

    private func fetchDirectly(_ range: Range<UInt64>) throws(MountError) -> [UInt8] {
        let fetch = fetch
        let bytes = try Blocking.run(timeout: timeout) { try await fetch(range) }
        guard bytes.count == range.count else { throw .io("the peer answered \(bytes.count) of \(range.count) bytes") }
        return bytes
    }
}
