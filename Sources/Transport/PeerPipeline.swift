import Logging
import NIOCore
import OpenSSLKit

/// Assembles the handlers of a peer connection, the same on both sides:
/// TLS → admission → frame codec → RPC.
enum PeerPipeline {
    static func configure(
        channel: Channel, role: TLSConnection.Role, credentials: PeerCredentials, configuration: TransportConfiguration,
        service: any RPCService, admitted: EventLoopPromise<NodeID>, logger: Logger
    ) throws {
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(TLSHandler(
            context: credentials.tlsContext, role: role, handshakeTimeout: configuration.handshakeTimeout, logger: logger))
        try operations.addHandler(AdmissionHandler(
            keyring: credentials.keyring, role: role, localNode: credentials.nodeID, timeout: configuration.admissionTimeout, logger: logger))
        try operations.addHandler(ByteToMessageHandler(FrameDecoder(maximumLength: configuration.maximumFrameLength)))
        try operations.addHandler(FrameEncoder())
        try operations.addHandler(RPCHandler(
            service: service, admitted: admitted, logger: logger,
            maximumOutstanding: configuration.maximumOutstandingCalls, maximumServing: configuration.maximumServedRequests))
    }
}
