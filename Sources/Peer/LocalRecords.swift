import ChunkStore
import Foundation
import NIOPosix
import Records

/// The peer's own signed records seen from async code: every call runs on NIO's blocking
/// thread pool, as `LocalChunks` does. Stores what it is given; callers verify signatures.
public struct LocalRecords: Sendable {
    public let store: ChunkStore

    /// Keeps `record` unless a record with an equal or higher sequence is held for its (key, signer).
    @discardableResult
    public func put(_ record: SignedRecord) async throws -> RecordPutOutcome {
        let store = store
        let row = StoredRecord(
            key: Data(record.key), signer: Data(record.signer), sequence: record.sequence,
            payload: Data(record.payload), signature: Data(record.signature),
            owner: Data(record.endorsement.owner), endorsement: Data(record.endorsement.signature))
        return try await NIOThreadPool.singleton.runIfActive { try store.putRecord(row) }
    }

    /// The records held under `key`, by signer, after `signer` when given.
    public func records(key: [UInt8], after signer: [UInt8]?, limit: Int) async throws -> [SignedRecord] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.records(key: Data(key), after: signer.map { Data($0) }, limit: limit).map {
                SignedRecord(
                    key: [UInt8]($0.key), signer: [UInt8]($0.signer), sequence: $0.sequence,
                    payload: [UInt8]($0.payload), signature: [UInt8]($0.signature),
                    endorsement: RecordEndorsement(owner: [UInt8]($0.owner), signature: [UInt8]($0.endorsement)))
            }
        }
    }

    /// Distinct record keys held here after `key`, in byte order (the repair walk).
    public func keys(after key: [UInt8]?, limit: Int) async throws -> [[UInt8]] {
        let store = store
        return try await NIOThreadPool.singleton.runIfActive {
            try store.recordKeys(after: key.map { Data($0) }, limit: limit).map { [UInt8]($0) }
        }
    }

    /// Drops a record this peer no longer owns, unless a newer one replaced it meanwhile.
    public func remove(_ record: SignedRecord) async throws {
        let store = store
        try await NIOThreadPool.singleton.runIfActive {
            _ = try store.removeRecord(key: Data(record.key), signer: Data(record.signer), sequence: record.sequence)
        }
    }
}
