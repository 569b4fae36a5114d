/// User event fired by `TLSHandler` once the TLS 1.3 handshake is done and the peer's
/// certificate is known.
public struct TLSHandshakeCompleted: Sendable {
    /// The NodeID derived from the key the peer presented.
    public let peer: NodeID
    /// TLS exporter output (label `TLSHandler.exporterLabel`, 32 bytes), bound to this session.
    public let exporter: [UInt8]
    /// Negotiated cipher suite, for logs.
    public let cipher: String
}
