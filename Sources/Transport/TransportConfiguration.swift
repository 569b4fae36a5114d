import NIOCore

/// Limits and timeouts of peer connections. Defaults suit a LAN or the Internet.
public struct TransportConfiguration: Sendable {
    public var handshakeTimeout: TimeAmount = .seconds(10)
    public var admissionTimeout: TimeAmount = .seconds(10)
    public var connectTimeout: TimeAmount = .seconds(5)
    /// Largest frame accepted from a peer, header included.
    public var maximumFrameLength: Int = Frame.defaultMaximumLength
    /// Calls one connection lets wait for answers at once.
    public var maximumOutstandingCalls: Int = 4096
    /// Requests one connection serves at once before it stops reading.
    public var maximumServedRequests: Int = 256
    /// Accepted connections still in their TLS handshake or admission at once; beyond,
    /// new ones are closed at once (each is bounded in time by the two timeouts above).
    public var maximumHandshakingConnections: Int = 64
    /// Admitted connections one NodeID may hold to this server at once.
    public var maximumConnectionsPerPeer: Int = 8

    public init() {}
}
