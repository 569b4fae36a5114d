/// RPC method numbers of the node engine (docs/protocol.md). Ranges: 0x00xx transport and
/// diagnostics, 0x01xx membership, 0x02xx chunks.
public enum PeerMethod {
    /// Returns the callee's advertised address, so both sides learn each other's.
    public static let hello: UInt16 = 0x0001
    /// One SWIM packet (MessageCodec); the answer is empty. Acks travel as their own packets.
    public static let membership: UInt16 = 0x0101
}
