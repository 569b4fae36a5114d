import Content
import OpenSSLKit
import Records
import S3Gateway
import Synchronization

/// The network in memory for gateway tests: one chunk store and one record table (highest
/// sequence per signer, as holders keep them) shared by every gateway.
final class MemoryS3Network: Sendable {
    let chunks = InMemoryChunkStore()
    let records = Mutex<[[UInt8]: [[UInt8]: SignedRecord]]>([:])
    let released = Mutex<[String]>([])
    /// Index pages stored so far (snapshots, page lists).
    let storedPages = Mutex(0)

    /// One gateway's view, with its own signing key.
    func gateway() throws -> Gateway { Gateway(network: self, signingKey: try Ed25519PrivateKey()) }

    /// Places a record as a lying holder or writer would, bypassing every check.
    func plant(_ record: SignedRecord) {
        records.withLock { $0[record.key, default: [:]][record.signer] = record }
    }

    struct Gateway: S3Network {
        let network: MemoryS3Network
        let signingKey: Ed25519PrivateKey

        func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, as kind: S3FileKind) async throws -> EncodedFile where Bytes.Element == [UInt8] {
            if kind == .indexPage { network.storedPages.withLock { $0 += 1 } }
            let encoder = FileEncoder(sink: network.chunks, cipher: try ConvergentCipher(convergenceSecret: Array(repeating: 7, count: 32)))
            return try await encoder.encode(bytes)
        }

        func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws {
            _ = try await FileDecoder(source: network.chunks).decode(capability, range: range, to: body)
        }

        func release(_ capability: Capability, as kind: S3FileKind) async throws -> Bool {
            network.released.withLock { $0.append(capability.description) }
            return true
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
}
