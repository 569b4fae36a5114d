import Content
import Synchronization

/// A chunk sink that passes every chunk on and remembers its id: how a put learns which
/// chunks its file uses (manifest nodes included), to list them in the owner's ledger.
/// Each chunk is claimed at the owner's release fence before it is stored, so a removal
/// running meanwhile neither releases it nor overtakes its lease (docs/gc.md).
final class RecordingSink: ChunkSink {
    private let sink: any ChunkSink
    private let fence: ReleaseFence
    private let state = Mutex<(claimed: [ChunkID], stored: [ChunkID])>(([], []))

    init(_ sink: any ChunkSink, fence: ReleaseFence) {
        self.sink = sink
        self.fence = fence
    }

    /// The ids stored so far, in the order their writes were acknowledged.
    var ids: [ChunkID] { state.withLock { $0.stored } }

    func store(id: ChunkID, bytes: [UInt8]) async throws {
        await fence.claim(id)
        state.withLock { $0.claimed.append(id) }
        try await sink.store(id: id, bytes: bytes)
        state.withLock { $0.stored.append(id) }
    }

    /// Ends this put's claims: once its file is in the ledger, or when it failed.
    func finish() async {
        await fence.unclaim(state.withLock { $0.claimed })
    }
}
