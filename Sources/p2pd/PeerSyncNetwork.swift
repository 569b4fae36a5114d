import Content
import FolderSync
import Peer

/// Folder sync's view of this peer: files go through the node's replicated data path,
/// index records through its signed-record store, and the device is this peer (its
/// identity key signs the folder records).
struct PeerSyncNetwork: SyncNetwork {
    let node: PeerNode
    private let encoder: FileEncoder

    init(node: PeerNode) throws {
        self.node = node
        self.encoder = try node.fileEncoder()
    }

    var deviceID: [UInt8] { node.identityKey.publicKey.rawRepresentation }
    var chunkSink: any ChunkSink { encoder.sink }
    var chunkSource: any ChunkSource { node.fileDecoder().source }

    func sign(recordKey: [UInt8], sequence: UInt64, payload: [UInt8]) throws -> SignedRecord {
        try node.signRecord(key: recordKey, sequence: sequence, payload: payload)
    }

    func publish(_ record: SignedRecord) async throws {
        try await node.publishRecord(record)
    }

    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
        try await node.fetchRecords(key: key)
    }

    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]> {
        node.subscribeRecords(key: key)
    }
}
