import OpenSSLKit
import Records

/// Signed records, as the node's callers (folder sync, tests) see them; `RecordService`
/// does the work.
extension PeerNode {
    /// This node's Ed25519 identity key (the key of its certificate): what it signs records with.
    public nonisolated var identityKey: Ed25519PrivateKey { credentials.privateKey }

    /// Records held here, leases granted to subscribers, and this node's own subscriptions.
    nonisolated var records: any RecordHolder { recordService.records }
    nonisolated var leases: RecordLeases { recordService.leases }

    /// Signs `payload` as version `sequence` of this node's record under the key `owner`
    /// owns, endorsed by it.
    public nonisolated func signRecord(owner: Ed25519PrivateKey, sequence: UInt64, payload: [UInt8]) throws -> SignedRecord {
        try SignedRecord.sign(sequence: sequence, payload: payload, with: identityKey, owner: owner)
    }

    /// Stores the record on its key's N holders; see `RecordService.publishRecord`.
    public nonisolated func publishRecord(_ record: SignedRecord) async throws {
        try await recordService.publishRecord(record)
    }

    /// Every signer's newest record under `key`; see `RecordService.fetchRecords`.
    public nonisolated func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
        try await recordService.fetchRecords(key: key)
    }

    /// News of `key`; see `RecordService.subscribeRecords`.
    public nonisolated func subscribeRecords(key: [UInt8]) -> AsyncStream<[UInt8]> {
        recordService.subscribeRecords(key: key)
    }

    /// Verifies and keeps a record that arrived here (tests: as if a peer had sent it).
    nonisolated func acceptRecord(_ record: SignedRecord, from peer: String) async throws -> UInt64 {
        try await recordService.acceptRecord(record, from: peer)
    }
}
