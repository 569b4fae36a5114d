import Synchronization

/// What a mount asked of its peer: range requests and their bytes. Read through the
/// `user.p2p.stats` extended attribute of the mount's root (tests, `tools/bench mount`).
public final class MountStatistics: Sendable {
    private let counts = Mutex<(requests: UInt64, bytes: UInt64)>((0, 0))

    public init() {}

    public func record(bytes: Int) {
        counts.withLock {
            $0.requests += 1
            $0.bytes += UInt64(bytes)
        }
    }

    /// `{"bytes":…,"requests":…}`.
    public var json: String {
        let (requests, bytes) = counts.withLock { ($0.requests, $0.bytes) }
        return "{\"bytes\":\(bytes),\"requests\":\(requests)}"
    }
}
