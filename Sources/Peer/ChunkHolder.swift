import ChunkStore
import Content
import Foundation

/// The local chunk store as the node's services use it: `LocalChunks` in a running peer
/// (the store on disk, off the cooperative threads), a dictionary in unit tests.
public protocol ChunkHolder: Sendable {
    /// Stores `bytes` under `id` and takes `leases` on it (docs/gc.md); throws
    /// `ChunkStoreError` `.hashMismatch`, storing nothing, when they do not hash to it.
    @discardableResult
    func put(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome
    /// `put` of a chunk this process sealed (its id computed from these bytes here): the
    /// holder may skip hashing it again (`ChunkStore.putSealed`).
    @discardableResult
    func putSealed(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome
    /// The verified bytes, or nil when the chunk is missing (or was corrupt and is now quarantined).
    func get(_ id: ChunkID) async throws -> [UInt8]?
    /// For each id, whether it is held here and whether a lease still keeps it.
    func holdings(_ ids: [ChunkID]) async throws -> [ChunkHolding]
    func delete(_ id: ChunkID) async throws
    /// One page of the local index in ring order, after `cursor` (the repair walk).
    func page(after cursor: ChunkID?, limit: Int) async throws -> [ChunkRecord]
    /// The chunks verified longest ago, with their index rows (the scrub order).
    func leastRecentlyVerified(limit: Int) async throws -> [ChunkRecord]
    /// Re-hashes a chunk and records the verification.
    func verify(_ id: ChunkID) async throws -> ChunkVerification

    /// Keeps `id` as a stand-in for `peer` (hinted handoff).
    func addHint(_ id: ChunkID, for peer: [UInt8]) async throws
    /// Chunks this peer keeps as a stand-in for another (hinted handoff owns their fate).
    func hintedChunks() async throws -> Set<ChunkID>
    /// Peers some chunk is kept here for.
    func hintedPeers() async throws -> [Data]
    /// Up to `limit` chunks kept here for `peer`.
    func hints(for peer: Data, limit: Int) async throws -> [HintRecord]
    /// Forgets that a chunk is kept here for its peer; whether another peer still has it hinted.
    func removeHint(_ hint: HintRecord) async throws -> (removed: Bool, hintedForOthers: Bool)
    func hintCount() async throws -> Int

    /// Extends `lease`'s owner's lease on each of `ids` held here; for each id, whether it is held.
    func renewLeases(_ ids: [ChunkID], lease: ChunkLease) async throws -> [Bool]
    /// Ends `owner`'s leases on `ids`; how many it held.
    func releaseLeases(_ ids: [ChunkID], owner: Data) async throws -> Int
    /// The leases held on a chunk, to carry with a copy of it.
    func leases(of id: ChunkID) async throws -> [ChunkLease]
}

extension ChunkHolder {
    /// Stores a chunk that comes without a lease: a new one is kept provisionally.
    @discardableResult
    public func put(_ id: ChunkID, _ bytes: [UInt8]) async throws -> PutOutcome {
        try await put(id, bytes, leases: [])
    }

    /// By default, a sealed chunk is put like any other.
    @discardableResult
    public func putSealed(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome {
        try await put(id, bytes, leases: leases)
    }
}

extension LocalChunks: ChunkHolder {}
