import API
import APIModel
import Content
import Foundation
import Synchronization

/// Files kept in memory by the real encoder and decoder: the routes' `FileSource` without a
/// node, a socket or a disk. Every chunk is said to be held by `holders`; every file stored
/// is owned until removed.
struct MemoryFiles: FileSource {
    final class Owned: Sendable {
        let files = Mutex<[OwnedFiles.File]>([])
    }

    let chunks = InMemoryChunkStore()
    let owned = Owned()
    let cipher: ConvergentCipher
    let holders: [String]

    init(holders: [String] = ["PEERA", "PEERB"]) throws {
        cipher = try ConvergentCipher(convergenceSecret: [UInt8](repeating: 7, count: 32))
        self.holders = holders
    }

    func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, source: String) async throws -> EncodedFile where Bytes.Element == [UInt8] {
        let encoded = try await FileEncoder(sink: chunks, cipher: cipher).encode(bytes)
        let file = OwnedFiles.File(cap: encoded.capability.description, size: encoded.size, storedAt: 1_000, source: source)
        owned.files.withLock { files in if !files.contains(file) { files.append(file) } }
        return encoded
    }

    func ownedFileList() async throws -> OwnedFiles {
        OwnedFiles(files: owned.files.withLock { $0 })
    }

    func remove(_ capability: Capability) async throws -> RemovedFile? {
        let removed = owned.files.withLock { files in
            files.firstIndex { $0.cap == capability.description }.map { files.remove(at: $0) }
        }
        return removed.map { RemovedFile(cap: $0.cap, releasedChunks: 1, unreachablePeers: 0) }
    }

    func info(_ capability: Capability) async throws -> FileInfo {
        try await FileDecoder(source: chunks).info(capability)
    }

    func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await FileDecoder(source: chunks).decode(capability, range: range, to: body)
    }

    func locate(_ capability: Capability) async throws -> [(ChunkID, [String])] {
        try await FileDecoder(source: chunks).chunkIDs(of: capability).map { ($0, holders) }
    }

    func storeDirectory(_ listing: DirectoryListing, isRoot: Bool) async throws -> EncodedFile {
        let encoded = try await FileEncoder(sink: chunks, cipher: cipher).encode(listing)
        let file = OwnedFiles.File(cap: encoded.capability.description, size: encoded.size, storedAt: 1_000, source: "put -r")
        owned.files.withLock { files in if !files.contains(file) { files.append(file) } }
        return encoded
    }

    func directory(_ capability: Capability) async throws -> DirectoryListing {
        try await FileDecoder(source: chunks).readDirectory(capability)
    }
}

/// A node's view of the network, fixed: the routes' `StatusSource` without a node.
struct FixedStatus: StatusSource {
    let document: NodeStatus

    init() {
        var document = NodeStatus(
            node: "NODEA", network: NetworkSettings(replicas: 3, writeQuorum: 2, removalGraceSeconds: 600),
            peers: [
                NodeStatus.PeerEntry(
                    nodeID: "NODEA", address: "127.0.0.1:7400", zone: "z1", state: "alive", incarnation: 2,
                    usedBytes: 10, capacityBytes: 1 << 30, chunkCount: 1, isSelf: true),
                NodeStatus.PeerEntry(
                    nodeID: "NODEB", address: "[::1]:7401", zone: "z2", state: "suspect", incarnation: 0,
                    usedBytes: 0, capacityBytes: 1 << 20, chunkCount: 0, isSelf: false),
            ])
        document.durability = NodeStatus.Durability()
        document.durability?.passes = 4
        self.document = document
    }

    func status() async -> NodeStatus { document }
}
