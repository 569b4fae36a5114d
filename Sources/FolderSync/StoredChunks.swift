import Content
import Synchronization

/// The chunks this device already wrote to the network, as a `ChunkSink` in front of the
/// network's: a chunk stored once (by any file of any folder) is not sent again, so a
/// rename or an unchanged part of an edited file costs no upload. New ids are kept
/// pending until the caller records them with the entries that use them.
final class StoredChunks: ChunkSink {
    private let network: any ChunkSink
    private let state: Mutex<(known: Set<[UInt8]>, pending: [[UInt8]])>

    init(network: any ChunkSink, known: Set<[UInt8]>) {
        self.network = network
        self.state = Mutex((known, []))
    }

    func store(id: ChunkID, bytes: [UInt8]) async throws {
        try await storeIfNew(id: id, bytes: bytes)
    }

    /// Stores a chunk unless it was stored before; returns whether it went to the network.
    @discardableResult
    func storeIfNew(id: ChunkID, bytes: [UInt8]) async throws -> Bool {
        if state.withLock({ $0.known.contains(id.bytes) }) { return false }
        try await network.store(id: id, bytes: bytes)
        state.withLock {
            if $0.known.insert(id.bytes).inserted { $0.pending.append(id.bytes) }
        }
        return true
    }

    /// Forgets ids as stored (their leases were released): a file that uses them sends them again.
    func forget(_ ids: [[UInt8]]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids { state.known.remove(id) }
            let gone = Set(ids)
            state.pending.removeAll { gone.contains($0) }
        }
    }

    /// The ids stored since the last call.
    func takePending() -> [[UInt8]] {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }
}
