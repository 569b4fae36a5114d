import ChunkStore
import Content
import Foundation
import NIOPosix

/// The peer's own chunk store seen from async code: every blocking call runs on NIO's blocking
/// thread pool, so disk reads never stall the cooperative executor or an event loop; a put
/// suspends while its group commit is made durable, so many puts share one sync.
public struct LocalChunks: Sendable {
    public let store: ChunkStore

    @discardableResult
    public func put(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome {
        try await store.put(StoredChunkID(id), bytes, leases: leases)
    }

    @discardableResult
    public func putSealed(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome {
        try await store.putSealed(StoredChunkID(id), bytes, leases: leases)
    }

    /// The verified bytes, or nil when the chunk is missing (or was corrupt and is now quarantined).
    public func get(_ id: ChunkID) async throws -> [UInt8]? {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8]? in
            do {
                return try store.get(StoredChunkID(id))
            } catch let error as ChunkStoreError where error.isMissing {
                return nil
            }
        }
    }

    public func holdings(_ ids: [ChunkID]) async throws -> [ChunkHolding] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.holdings(ids.map { StoredChunkID($0) })
        }
    }

    public func delete(_ id: ChunkID) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { _ = try store.delete(StoredChunkID(id)) }
    }

    public func addHint(_ id: ChunkID, for peer: [UInt8]) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive { try store.addHint(chunk: StoredChunkID(id), peer: Data(peer)) }
    }

    /// One page of the local index in ring order, after `cursor` (the repair walk).
    public func page(after cursor: ChunkID?, limit: Int) async throws -> [ChunkRecord] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.chunks(after: cursor.map { StoredChunkID($0) }, limit: limit)
        }
    }

    /// The chunks verified longest ago, with their index rows (the scrub order).
    public func leastRecentlyVerified(limit: Int) async throws -> [ChunkRecord] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.leastRecentlyVerified(limit: limit).compactMap { try store.record($0) }
        }
    }

    /// Re-hashes a chunk and records the verification; false when it was missing or corrupt
    /// (a corrupt chunk is quarantined by the store).
    public func verify(_ id: ChunkID) async throws -> ChunkVerification {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.verify(StoredChunkID(id)) }
    }

    /// Chunks this peer keeps as a stand-in for another (hinted handoff owns their fate).
    public func hintedChunks() async throws -> Set<ChunkID> {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            Set(try store.allHints().map { ChunkID($0.chunkID) })
        }
    }

    /// Peers some chunk is kept here for, as a stand-in.
    public func hintedPeers() async throws -> [Data] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.hintedPeers() }
    }

    /// Up to `limit` chunks kept here for `peer`.
    public func hints(for peer: Data, limit: Int) async throws -> [HintRecord] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.hints(for: peer, limit: limit) }
    }

    /// Forgets that a chunk is kept here for `peer`; whether another peer still has it hinted.
    public func removeHint(_ hint: HintRecord) async throws -> (removed: Bool, hintedForOthers: Bool) {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            let removed = try store.removeHint(chunk: hint.chunkID, peer: hint.peerID)
            let others = try store.allHints(limit: .max).contains { $0.chunkID == hint.chunkID }
            return (removed, others)
        }
    }

    /// Chunks kept here for peers that were down.
    public func hintCount() async throws -> Int {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.hintCount() }
    }

    // MARK: Leases (docs/gc.md)

    public func renewLeases(_ ids: [ChunkID], lease: ChunkLease) async throws -> [Bool] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.renewLeases(ids.map { StoredChunkID($0) }, owner: lease.owner, until: lease.expiry)
        }
    }

    public func releaseLeases(_ ids: [ChunkID], owner: Data) async throws -> Int {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.releaseLeases(ids.map { StoredChunkID($0) }, owner: owner) }
    }

    public func leases(of id: ChunkID) async throws -> [ChunkLease] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.leases(of: StoredChunkID(id)) }
    }

    /// One bounded step of the sweep: removes up to `limit` chunks whose last lease ended
    /// more than `grace` ago.
    public func collect(grace: TimeInterval, limit: Int) async throws -> CollectionReport {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.collect(grace: grace, limit: limit) }
    }

    /// One bounded step of compaction: copies at most `maximumBytes` of live records out of
    /// mostly dead segments and unlinks them.
    public func compact(maximumBytes: UInt64) async throws -> CompactionReport {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.compact(maximumBytes: maximumBytes) }
    }

    /// The segment files' bytes on disk, live and dead.
    public func segmentUsage() async throws -> SegmentUsage {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.segmentUsage() }
    }

    /// Stored bytes by the state of their leases.
    public func leaseUsage(grace: TimeInterval) async throws -> LeaseUsage {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive { try store.leaseUsage(grace: grace) }
    }
}
