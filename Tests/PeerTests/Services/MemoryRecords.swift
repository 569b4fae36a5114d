import ChunkStore
import Records
import Synchronization
@testable import Peer

/// Signed records in a dictionary, for unit tests of `RecordService`: per (key, signer) the
/// highest sequence, at most `ChunkStore.maximumRecordsPerKey` signers per key, as the store keeps them.
final class MemoryRecords: RecordHolder {
    private struct Slot: Hashable {
        var key: [UInt8]
        var signer: [UInt8]
    }

    private let held = Mutex<[Slot: SignedRecord]>([:])

    init() {}

    var all: [SignedRecord] { held.withLock { Array($0.values) } }

    func put(_ record: SignedRecord) async throws -> RecordPutOutcome {
        held.withLock { held in
            let slot = Slot(key: record.key, signer: record.signer)
            if let kept = held[slot], kept.sequence >= record.sequence { return .alreadyCurrent(sequence: kept.sequence) }
            if held[slot] == nil, held.keys.filter({ $0.key == record.key }).count >= ChunkStore.maximumRecordsPerKey {
                return .keyFull(limit: ChunkStore.maximumRecordsPerKey)
            }
            held[slot] = record
            return .stored
        }
    }

    func records(key: [UInt8], after signer: [UInt8]?, limit: Int) async throws -> [SignedRecord] {
        held.withLock { held in
            Array(held.values.filter { record in record.key == key && (signer.map { $0.lexicographicallyPrecedes(record.signer) } ?? true) }
                .sorted { $0.signer.lexicographicallyPrecedes($1.signer) }.prefix(limit))
        }
    }

    func keys(after key: [UInt8]?, limit: Int) async throws -> [[UInt8]] {
        held.withLock { held in
            Array(Set(held.keys.map(\.key)).filter { candidate in key.map { $0.lexicographicallyPrecedes(candidate) } ?? true }
                .sorted { $0.lexicographicallyPrecedes($1) }.prefix(limit))
        }
    }

    func remove(_ record: SignedRecord) async throws {
        held.withLock { held in
            let slot = Slot(key: record.key, signer: record.signer)
            if held[slot]?.sequence == record.sequence { held[slot] = nil }
        }
    }
}
