import ChunkStore
import Records

/// The local record store as `RecordService` uses it: `LocalRecords` in a running peer
/// (the chunk store's database, off the cooperative threads), a dictionary in unit tests.
/// Stores what it is given; callers verify signatures.
public protocol RecordHolder: Sendable {
    /// Keeps `record` unless a record with an equal or higher sequence is held for its (key, signer).
    @discardableResult
    func put(_ record: SignedRecord) async throws -> RecordPutOutcome
    /// The records held under `key`, by signer, after `signer` when given, at most `limit`.
    func records(key: [UInt8], after signer: [UInt8]?, limit: Int) async throws -> [SignedRecord]
    /// Distinct record keys held here after `key`, in byte order (the repair walk).
    func keys(after key: [UInt8]?, limit: Int) async throws -> [[UInt8]]
    /// Drops a record this peer no longer owns, unless a newer one replaced it meanwhile.
    func remove(_ record: SignedRecord) async throws
}

extension RecordHolder {
    /// Every record held under `key`, by signer.
    public func records(key: [UInt8]) async throws -> [SignedRecord] {
        try await records(key: key, after: nil, limit: ChunkStore.maximumRecordsPerKey)
    }
}

extension LocalRecords: RecordHolder {}
