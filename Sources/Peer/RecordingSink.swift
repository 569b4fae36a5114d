import Content
import Synchronization

/// A chunk sink that passes every chunk on and remembers its id: how a put learns which
/// chunks its file uses (manifest nodes included), to list them in the owner's ledger.
final class RecordingSink: ChunkSink {
    private let sink: any ChunkSink
    private let stored = Mutex<[ChunkID]>([])

    init(_ sink: any ChunkSink) {
        self.sink = sink
    }

    /// The ids stored so far, in the order their writes were acknowledged.
    var ids: [ChunkID] { stored.withLock { $0 } }

    func store(id: ChunkID, bytes: [UInt8]) async throws {
        try await sink.store(id: id, bytes: bytes)
        stored.withLock { $0.append(id) }
    }
}
