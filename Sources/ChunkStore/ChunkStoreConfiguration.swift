import Foundation

/// How a ``ChunkStore`` is opened.
public struct ChunkStoreConfiguration: Sendable {
    /// Bytes of chunk data the store accepts; a put that would exceed it fails with `.full`.
    public var capacity: UInt64
    /// Reconcile files and index on open even after a clean shutdown (slower open; for tools).
    public var alwaysReconcile: Bool
    /// Sync SQLite's WAL on every commit (`synchronous = FULL`). Off by default: chunk files are
    /// always synced before a put returns, and an index row lost to a power cut is rebuilt from
    /// the file on the next open, so `NORMAL` (sync at checkpoints) loses nothing that matters.
    public var syncEveryCommit: Bool
    /// Wall clock for `stored_at`, `last_verified` and hint times; a parameter so tests can pin it.
    public var clock: @Sendable () -> Date

    public init(
        capacity: UInt64, alwaysReconcile: Bool = false, syncEveryCommit: Bool = false,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.capacity = capacity
        self.alwaysReconcile = alwaysReconcile
        self.syncEveryCommit = syncEveryCommit
        self.clock = clock
    }
}
