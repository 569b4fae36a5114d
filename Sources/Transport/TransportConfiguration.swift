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

    public init() {}
}
