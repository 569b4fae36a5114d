import ChunkStore
import Foundation
import Testing

/// The `records` table: highest sequence wins per (key, signer), bounded signers per key,
/// persistence across a reopen. Signatures are the node engine's business (not checked here).
/// On an index in memory, but for the reopen.
@Suite("ChunkStore signed records")
struct RecordStoreTests {
    static let key = Data(repeating: 0x11, count: 32)

    static func row(signer: UInt8, sequence: UInt64, payload: String = "p", key: Data = key) -> StoredRecord {
        StoredRecord(
            key: key, signer: Data(repeating: signer, count: 32), sequence: sequence,
            payload: Data(payload.utf8), signature: Data(repeating: 0x55, count: 64))
    }

    @Test func keepsOnlyTheHighestSequencePerSigner() throws {
        try withInMemoryIndex { (store: ChunkStore) throws in
            #expect(try store.putRecord(Self.row(signer: 1, sequence: 5, payload: "five")) == .stored)
            #expect(try store.putRecord(Self.row(signer: 1, sequence: 5, payload: "other five")) == .alreadyCurrent(sequence: 5))
            #expect(try store.putRecord(Self.row(signer: 1, sequence: 3, payload: "three")) == .alreadyCurrent(sequence: 5))
            #expect(try store.records(key: Self.key).map { String(decoding: $0.payload, as: UTF8.self) } == ["five"])
            #expect(try store.putRecord(Self.row(signer: 1, sequence: .max, payload: "max")) == .stored)
            #expect(try store.putRecord(Self.row(signer: 2, sequence: 0, payload: "zero")) == .stored)
            let held = try store.records(key: Self.key)
            #expect(held.map(\.sequence) == [.max, 0])
            #expect(held.map { String(decoding: $0.payload, as: UTF8.self) } == ["max", "zero"])
            #expect(try store.records(key: Self.key, after: Data(repeating: 1, count: 32)).map(\.sequence) == [0])
            #expect(try store.records(key: Data(repeating: 0x22, count: 32)).isEmpty)
        }
    }

    @Test func aStoredRowReadsBackWhole() throws {
        try withInMemoryIndex { (store: ChunkStore) throws in
            let row = StoredRecord(
                key: Self.key, signer: Data(repeating: 7, count: 32), sequence: 1 << 63 + 5, payload: Data("whole".utf8),
                signature: Data(repeating: 0x55, count: 64), owner: Data(repeating: 0x0A, count: 32),
                endorsement: Data(repeating: 0x0B, count: 64), storedAt: Date(timeIntervalSince1970: 1_765_000_000.123))
            #expect(try store.putRecord(row) == .stored)
            #expect(try store.records(key: Self.key) == [row])
            let newer = StoredRecord(
                key: row.key, signer: row.signer, sequence: row.sequence + 1, payload: Data("newer".utf8), signature: row.signature,
                owner: row.owner, endorsement: row.endorsement, storedAt: row.storedAt)
            #expect(try store.putRecord(newer) == .stored)
            #expect(try store.records(key: Self.key) == [newer])
        }
    }

    @Test func recordsSurviveReopening() throws {
        try withTemporaryDirectory { root in
            var store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let empty = StoredRecord(key: Self.key, signer: Data(repeating: 9, count: 32), sequence: 1, payload: Data(), signature: Data(repeating: 1, count: 64))
            #expect(try store.putRecord(Self.row(signer: 3, sequence: 42, payload: "kept")) == .stored)
            #expect(try store.putRecord(empty) == .stored)
            try store.close()
            store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            let held = try store.records(key: Self.key)
            #expect(held.count == 2)
            #expect(held.first?.sequence == 42 && held.first?.payload == Data("kept".utf8))
            #expect(held.last?.payload == Data())
            #expect(try store.recordKeys(after: nil, limit: 10) == [Self.key])
            try store.close()
        }
    }

    @Test func refusesNewSignersBeyondTheLimitAndRowsThatBreakTheSchema() throws {
        try withInMemoryIndex { (store: ChunkStore) throws in
            for index in 0..<ChunkStore.maximumRecordsPerKey {
                var signer = Data(repeating: 0, count: 32)
                signer[0] = UInt8(index >> 8)
                signer[1] = UInt8(index & 0xFF)
                let row = StoredRecord(key: Self.key, signer: signer, sequence: 1, payload: Data(), signature: Data(repeating: 1, count: 64))
                #expect(try store.putRecord(row) == .stored)
            }
            #expect(try store.putRecord(Self.row(signer: 0xFF, sequence: 1)) == .keyFull(limit: ChunkStore.maximumRecordsPerKey))
            // A known signer may still move forward; another key is unaffected.
            var first = Data(repeating: 0, count: 32)
            first[0] = 0
            #expect(try store.putRecord(StoredRecord(key: Self.key, signer: first, sequence: 2, payload: Data(), signature: Data(repeating: 1, count: 64))) == .stored)
            #expect(try store.putRecord(Self.row(signer: 0xFF, sequence: 1, key: Data(repeating: 0x33, count: 32))) == .stored)
            // The schema refuses what the node engine would never write.
            #expect(throws: ChunkStoreError.self) { try store.putRecord(Self.row(signer: 1, sequence: 1, key: Data(count: 31))) }
            let oversize = StoredRecord(
                key: Data(repeating: 0x44, count: 32), signer: Data(repeating: 0xEE, count: 32), sequence: 1,
                payload: Data(count: 64 * 1024 + 1), signature: Data(repeating: 1, count: 64))
            #expect(throws: ChunkStoreError.self) { try store.putRecord(oversize) }
        }
    }
}
