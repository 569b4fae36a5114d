/// RPC method numbers of the node engine (docs/protocol.md). Ranges: 0x00xx transport and
/// diagnostics, 0x01xx membership, 0x02xx chunks, 0x03xx signed records.
public enum PeerMethod {
    /// Returns the callee's advertised address, so both sides learn each other's.
    public static let hello: UInt16 = 0x0001
    /// One SWIM packet (MessageCodec); the answer is empty. Acks travel as their own packets.
    public static let membership: UInt16 = 0x0101
}

extension PeerMethod {
    /// Store a chunk (optionally as a stand-in with a hint); the callee verifies the id.
    public static let storeChunk: UInt16 = 0x0201
    /// Return a chunk's bytes, or error 404.
    public static let fetchChunk: UInt16 = 0x0202
    /// Which of a batch of chunks the callee holds.
    public static let hasChunks: UInt16 = 0x0203
}

extension PeerMethod {
    /// Store a signed record; the callee verifies it and keeps the highest sequence per (key, signer).
    public static let storeRecord: UInt16 = 0x0301
    /// Return one page of the records held under a key (every signer's latest).
    public static let fetchRecords: UInt16 = 0x0302
    /// Grant, renew or cancel the caller's lease on news of a key.
    public static let subscribeRecords: UInt16 = 0x0303
    /// Tells a subscriber that a newer record was stored under a key.
    public static let notifyRecord: UInt16 = 0x0304
}
