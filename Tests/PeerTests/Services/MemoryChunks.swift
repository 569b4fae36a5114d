@testable import ChunkStore
import Content
import Foundation
import Synchronization
@testable import Peer

/// A chunk store in a dictionary, for unit tests of the node's services: verifies ids as
/// the real store does, keeps hints, remembers releases, walks in ring order (id order, as
/// ring positions are the ids' first bytes).
final class MemoryChunks: ChunkHolder {
    private struct State {
        var chunks: [ChunkID: [UInt8]] = [:]
        var verified: [ChunkID: Date] = [:]
        var hints: [HintRecord] = []
        var leases: [ChunkID: [Data: Date]] = [:]
        var received: [ChunkLease] = []
        /// Releases remembered, as `released_lease`: a copied lease never revives one.
        var released: Set<[UInt8]> = []
    }

    private let state = Mutex(State())

    init(_ chunks: [[UInt8]] = []) {
        for bytes in chunks {
            let id = ChunkID(hashing: bytes)
            state.withLock { state in
                state.chunks[id] = bytes
                state.leases[id] = [ChunkLease.provisionalOwner: Date().addingTimeInterval(ChunkLease.length)]
            }
        }
    }

    var ids: Set<ChunkID> { state.withLock { Set($0.chunks.keys) } }

    /// The leases the last put came with, as the holder got them (copies marked).
    var receivedLeases: [ChunkLease] { state.withLock { $0.received } }

    /// Replaces a chunk's bytes, as a failing disk would.
    func corrupt(_ id: ChunkID) {
        state.withLock { $0.chunks[id]?[0] ^= 0xFF }
    }

    @discardableResult
    func put(_ id: ChunkID, _ bytes: [UInt8], leases: [ChunkLease]) async throws -> PutOutcome {
        guard ChunkID(hashing: bytes) == id else { throw ChunkStoreError(.hashMismatch, chunk: StoredChunkID(id)) }
        // As the real store: a new chunk that comes without a lease is kept provisionally.
        let provisional = ChunkLease(owner: ChunkLease.provisionalOwner, expiry: Date().addingTimeInterval(ChunkLease.length))!
        return state.withLock { state in
            let kept = leases.filter { !($0.isCopy && state.released.contains(id.bytes + $0.owner)) }
            let granted = leases.isEmpty && state.chunks[id] == nil ? [provisional] : kept
            state.received = leases
            defer {
                state.chunks[id] = bytes
                for lease in granted { state.leases[id, default: [:]][lease.owner] = max(state.leases[id]?[lease.owner] ?? lease.expiry, lease.expiry) }
            }
            return state.chunks[id] == nil ? .stored : .alreadyPresent
        }
    }

    func get(_ id: ChunkID) async throws -> [UInt8]? {
        state.withLock { state in
            guard let bytes = state.chunks[id] else { return nil }
            guard ChunkID(hashing: bytes) == id else {
                state.chunks[id] = nil  // quarantined
                return nil
            }
            return bytes
        }
    }

    func holdings(_ ids: [ChunkID]) async throws -> [ChunkHolding] {
        let now = Date()
        return state.withLock { state in
            ids.map { id in
                guard state.chunks[id] != nil else { return .absent }
                return Self.leaseEnd(id, state: state) >= now ? .leased : .unleased
            }
        }
    }

    /// When the chunk's last lease ends, as the store's `lease_expiry` (a chunk whose
    /// leases were all released ended then: long ago, here).
    private static func leaseEnd(_ id: ChunkID, state: State) -> Date {
        state.leases[id]?.values.max() ?? .distantPast
    }

    /// Removes a chunk and its leases at once, as a sweep that collected it does.
    func forget(_ id: ChunkID) {
        state.withLock { state in
            state.chunks[id] = nil
            state.leases[id] = nil
        }
    }

    func delete(_ id: ChunkID) async throws {
        state.withLock { state in
            state.chunks[id] = nil
            state.hints.removeAll { $0.chunkID.bytes == id.bytes }
        }
    }

    func page(after cursor: ChunkID?, limit: Int) async throws -> [ChunkRecord] {
        state.withLock { state in
            state.chunks.keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
                .filter { id in cursor.map { $0.bytes.lexicographicallyPrecedes(id.bytes) } ?? true }
                .prefix(limit)
                .map { Self.record($0, state: state) }
        }
    }

    func leastRecentlyVerified(limit: Int) async throws -> [ChunkRecord] {
        state.withLock { state in
            state.chunks.keys.map { Self.record($0, state: state) }
                .sorted { ($0.lastVerified ?? .distantPast) < ($1.lastVerified ?? .distantPast) }
                .prefix(limit).map { $0 }
        }
    }

    /// Runs before each verification: a test's sweep that collects a chunk meanwhile.
    let beforeVerify = Mutex<(@Sendable (ChunkID) -> Void)?>(nil)

    func verify(_ id: ChunkID) async throws -> ChunkVerification {
        beforeVerify.withLock { $0 }?(id)
        return state.withLock { state in
            guard let bytes = state.chunks[id] else { return .absent }
            guard ChunkID(hashing: bytes) == id else {
                state.chunks[id] = nil
                state.leases[id] = nil
                return .corrupt
            }
            state.verified[id] = Date()
            return .intact
        }
    }

    func addHint(_ id: ChunkID, for peer: [UInt8]) async throws {
        state.withLock { $0.hints.append(HintRecord(chunkID: StoredChunkID(id), peerID: Data(peer), createdAt: Date())) }
    }

    func hintedChunks() async throws -> Set<ChunkID> {
        state.withLock { Set($0.hints.map { ChunkID($0.chunkID) }) }
    }

    func hintedPeers() async throws -> [Data] {
        state.withLock { Array(Set($0.hints.map(\.peerID))) }
    }

    func hints(for peer: Data, limit: Int) async throws -> [HintRecord] {
        state.withLock { Array($0.hints.filter { $0.peerID == peer }.prefix(limit)) }
    }

    func removeHint(_ hint: HintRecord) async throws -> (removed: Bool, hintedForOthers: Bool) {
        state.withLock { state in
            let before = state.hints.count
            state.hints.removeAll { $0.chunkID == hint.chunkID && $0.peerID == hint.peerID }
            return (state.hints.count < before, state.hints.contains { $0.chunkID == hint.chunkID })
        }
    }

    func hintCount() async throws -> Int {
        state.withLock { $0.hints.count }
    }

    private static func record(_ id: ChunkID, state: State) -> ChunkRecord {
        ChunkRecord(
            id: StoredChunkID(id), size: Int64(state.chunks[id]?.count ?? 0), storedAt: Date(), lastVerified: state.verified[id],
            leaseExpiry: leaseEnd(id, state: state))
    }

    func renewLeases(_ ids: [ChunkID], lease: ChunkLease) async throws -> [Bool] {
        state.withLock { state in
            ids.map { id in
                guard state.chunks[id] != nil else { return false }
                state.leases[id, default: [:]][lease.owner] = max(state.leases[id]?[lease.owner] ?? lease.expiry, lease.expiry)
                return true
            }
        }
    }

    func releaseLeases(_ ids: [ChunkID], owner: Data) async throws -> Int {
        state.withLock { state in
            ids.reduce(0) { count, id in
                state.released.insert(id.bytes + owner)
                return count + (state.leases[id]?.removeValue(forKey: owner) == nil ? 0 : 1)
            }
        }
    }

    func leases(of id: ChunkID) async throws -> [ChunkLease] {
        state.withLock { state in
            (state.leases[id] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }.compactMap { ChunkLease(owner: $0.key, expiry: $0.value) }
        }
    }
}
