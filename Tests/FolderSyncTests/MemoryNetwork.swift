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
