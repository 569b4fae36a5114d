/// RPC methods of the node engine (docs/protocol.md), with their wire numbers. Ranges:
/// 0x00xx transport and diagnostics, 0x01xx membership, 0x02xx chunks, 0x03xx signed records.
/// Payloads are in `ChunkMessages` and `RecordMessages` (fixed-width, big-endian) and
/// `MessageCodec` (membership).
public enum PeerMethod: UInt16, Sendable, CaseIterable {
    /// Returns the callee's advertised address, so both sides learn each other's.
    case hello = 0x0001
    /// One SWIM packet (MessageCodec); the answer is empty. Acks travel as their own packets.
    case membership = 0x0101
    /// An operator removed a failed member (`p2p peer remove`): the callee drops it from its
    /// placement at once, without the removal grace, while it stays dead or suspect at no
    /// higher incarnation. The answer is empty.
    case removeMember = 0x0102
    /// The caller's network keys (`SealedNetworkKeys`: each secret sealed to the callee's
    /// node key): after a revocation, or to catch up when it was admitted with an older key.
    /// The callee merges them and answers with its own, merged, sealed to the caller.
    case networkKeys = 0x0103
    /// Store a chunk (optionally as a stand-in with a hint); the callee verifies the id.
    case storeChunk = 0x0201
    /// Return a chunk's bytes, or error 404.
    case fetchChunk = 0x0202
    /// Which of a batch of chunks the callee holds.
    case hasChunks = 0x0203
    /// Extend the caller-named owner's leases on a batch of chunks; which of them are held.
    case renewLeases = 0x0204
    /// End the caller's own leases on a batch of chunks.
    case releaseLeases = 0x0205
    /// Store a signed record; the callee verifies it and keeps the highest sequence per (key, signer).
    case storeRecord = 0x0301
    /// Return one page of the records held under a key (every signer's latest).
    case fetchRecords = 0x0302
    /// Grant, renew or cancel the caller's lease on news of a key.
    case subscribeRecords = 0x0303
    /// Tells a subscriber that a newer record was stored under a key.
    case notifyRecord = 0x0304

    /// The method's name in metrics labels (`p2p_rpc_requests_total{method=…}`).
    public var label: String {
        switch self {
        case .hello: "hello"
        case .membership: "membership"
        case .removeMember: "remove_member"
        case .networkKeys: "network_keys"
        case .storeChunk: "store_chunk"
        case .fetchChunk: "fetch_chunk"
        case .hasChunks: "has_chunks"
        case .renewLeases: "renew_leases"
        case .releaseLeases: "release_leases"
        case .storeRecord: "store_record"
        case .fetchRecords: "fetch_records"
        case .subscribeRecords: "subscribe_records"
        case .notifyRecord: "notify_record"
        }
    }
}
