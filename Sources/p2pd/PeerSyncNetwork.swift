import ChunkStore
import Content
import OpenSSLKit
import FolderSync
import Peer
import Records

/// Folder sync's view of this peer: files go through the node's replicated data path,
/// index records through its signed-record store; the device's key in each folder is
/// derived from this peer's identity key.
struct PeerSyncNetwork: SyncNetwork {
    let node: PeerNode
    private let encoder: FileEncoder

    init(node: PeerNode) {
        self.node = node
        // Each copy takes this peer's lease; the folder's references (`reference`) renew it.
        self.encoder = node.fileEncoder()
    }

    func deviceKey(context: [UInt8]) throws -> Ed25519PrivateKey {
        try node.identityKey.derivedKey(label: Array("p2p-folder-v1 device key".utf8) + context)
    }

    var chunkSink: any ChunkSink { encoder.sink }
    var chunkSource: any ChunkSource { node.fileDecoder().source }

    func publish(_ record: SignedRecord) async throws {
        try await node.publishRecord(record)
    }

    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
        try await node.fetchRecords(key: key)
    }

    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]> {
        node.subscribeRecords(key: key)
    }

    func references(folder: String) async throws -> Set<String> {
        try await node.folderReferences(folder: folder)
    }

    func reference(folder: String, files: [(capability: Capability, size: UInt64)]) async throws -> [String] {
        try await node.referenceFolderVersions(folder: folder, files: files)
    }

    func referenceIndex(folder: String, pages: [ChunkID]) async throws -> [ChunkID] {
        try await node.referenceFolderIndex(folder: folder, pages: pages)
    }

    func release(folder: String, capabilities: [String]) async throws -> [ChunkID] {
        try await node.releaseFolderVersions(folder: folder, capabilities: capabilities)
    }
}
