import Content
import FolderSync
import OpenSSLKit
import Records
import Synchronization

/// A whole network in memory for engine tests: one chunk store and one record table
/// shared by every device, records kept as a holder keeps them (highest sequence per
/// signer). The disk side of each device is real.
final class MemoryNetwork: Sendable {
    let chunks = InMemoryChunkStore()
    let records = Mutex<[[UInt8]: [[UInt8]: SignedRecord]]>([:])
    let uploadedChunks = Atomic<Int>(0)
    let uploadedBytes = Atomic<Int>(0)

    init() throws {}

    func device() throws -> Device { try Device(network: self) }

    /// Places a record as a (possibly lying) holder would, bypassing every check.
    func plant(_ record: SignedRecord) {
        records.withLock { $0[record.key, default: [:]][record.signer] = record }
    }

    struct Device: SyncNetwork {
        let network: MemoryNetwork
        let key: Ed25519PrivateKey
        /// The versions this device references, by folder (no chunk is ever collected here).
        let referenced = References()
        func deviceKey(context: [UInt8]) throws -> Ed25519PrivateKey {
            try key.derivedKey(label: Array("p2p-folder-v1 device key".utf8) + context)
        }
        var chunkSink: any ChunkSink { CountingSink(network: network) }
        var chunkSource: any ChunkSource { network.chunks }

        init(network: MemoryNetwork) throws {
            self.network = network
            self.key = try Ed25519PrivateKey()
        }

        func publish(_ record: SignedRecord) async throws {
            precondition(record.isValid)
            network.records.withLock { table in
                if (table[record.key]?[record.signer]?.sequence ?? 0) < record.sequence {
                    table[record.key, default: [:]][record.signer] = record
                }
            }
        }

        func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
            network.records.withLock { Array(($0[key] ?? [:]).values) }
        }

        func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]> { AsyncStream { _ in } }

        func references(folder: String) async throws -> Set<String> {
            referenced.table.withLock { $0[folder] ?? [] }
        }

        func reference(folder: String, files: [(capability: Capability, size: UInt64)]) async throws -> [String] {
            let added = files.map(\.capability.description)
            referenced.table.withLock { $0[folder, default: []].formUnion(added) }
            return added
        }

        func referenceIndex(folder: String, pages: [ChunkID]) async throws -> [ChunkID] { [] }

        func release(folder: String, capabilities: [String]) async throws -> [ChunkID] {
            referenced.table.withLock { $0[folder, default: []].subtract(capabilities) }
            return []
        }
    }

    final class References: Sendable {
        let table = Mutex<[String: Set<String>]>([:])
    }

    struct CountingSink: ChunkSink {
        let network: MemoryNetwork
        func store(id: ChunkID, bytes: [UInt8]) async throws {
            network.uploadedChunks.add(1, ordering: .relaxed)
            network.uploadedBytes.add(bytes.count, ordering: .relaxed)
            await network.chunks.store(id: id, bytes: bytes)
        }
    }
}
