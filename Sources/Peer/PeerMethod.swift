/// RPC method numbers of the node engine (docs/protocol.md). Ranges: 0x00xx node,
/// 0x01xx membership, 0x02xx chunks.
public enum PeerMethod {
    /// Returns the callee's advertised address, so both sides learn each other's.
    public static let hello: UInt16 = 0x0001
}
