import Foundation

/// How a ``ChunkStore`` is opened.
public struct ChunkStoreConfiguration: Sendable {
    /// Bytes of chunk data the store accepts; a put that would exceed it fails with `.full`.
    public var capacity: UInt64
    /// Sync SQLite's WAL on every commit (`synchronous = FULL`). Off by default: segments are
    /// always synced before a put returns, and an index row lost to a power cut is rebuilt from
    /// the segment's tail on the next open, so `NORMAL` (sync at checkpoints) loses nothing
    /// that matters.
    public var syncEveryCommit: Bool
    /// A segment file is sealed, and a new one started, once a batch would take it past this.
    public var segmentSize: UInt64
    /// Most bytes of chunks in one group commit.
    public var maximumBatchBytes: Int
    /// How long a chunk stored without a lease is kept (a copy from a peer that did not say
    /// whose it is): long enough for every owner's next renewal.
    public var provisionalLease: TimeInterval
    /// Tests only: called by a put between its presence check and joining a batch, the
    /// window a sweep may fall into (`ChunkStoreLeaseTests`). Nil in every real store.
    public var afterPresenceCheck: (@Sendable (StoredChunkID, Bool) -> Void)?
    /// Wall clock for `stored_at`, `last_verified` and hint times; a parameter so tests can pin it.
    public var clock: @Sendable () -> Date
    /// Tests only: the index (every table of `ChunkStoreSchema`) lives in memory and is gone
    /// at close; segments stay files under the root, and an open indexes the ones it finds
    /// as it does after a lost commit. Tests of the store's bookkeeping (records, leases,
    /// the owner's ledger) run on it, without SQLite touching the disk.
    public var indexInMemory: Bool

    public init(
        capacity: UInt64, syncEveryCommit: Bool = false, segmentSize: UInt64 = 256 << 20,
        maximumBatchBytes: Int = 32 << 20, provisionalLease: TimeInterval = ChunkLease.length, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.capacity = capacity
        self.syncEveryCommit = syncEveryCommit
        self.segmentSize = segmentSize
        self.maximumBatchBytes = maximumBatchBytes
        self.provisionalLease = provisionalLease
        self.afterPresenceCheck = nil
        self.clock = clock
        self.indexInMemory = false
    }
}
