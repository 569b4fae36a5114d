import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// The S3-compatible gateway of a peer (`p2pd run --s3 HOST:PORT`, docs/s3.md): an HTTP
/// server that answers S3 requests from the network's buckets (`S3Realm`).
public struct S3Gateway: Service {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 lets the kernel choose; `onListening` learns the port.
        public var port: Int
        /// The region clients sign for and buckets report.
        public var region: String
        /// Virtual-host-style requests address `BUCKET.<domain>`; nil for path style only.
        public var domain: String?

        public init(host: String, port: Int, region: String = "us-east-1", domain: String? = nil) {
            self.host = host
            self.port = port
            self.region = region
            self.domain = domain
        }
    }

    private let responder: S3Responder
    private let onListening: @Sendable (Int) async -> Void

    /// `uploadsDirectory`: where multipart uploads in progress are kept (nil: in memory).
    public init(
        configuration: Configuration, realm: S3Realm, uploadsDirectory: String?, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        responder = S3Responder(
            realm: realm, uploads: try MultipartUploads(directory: uploadsDirectory, logger: logger), configuration: configuration,
            logger: logger)
        self.onListening = onListening
    }

    public func run() async throws {
        let configuration = responder.configuration
        let logger = responder.logger
        let onListening = onListening
        for capability in await responder.uploads.heldFiles() { responder.realm.references.touch(capability, holding: 1) }
        let application = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ContinueHandler()])),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "p2pstore"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("S3 gateway listening", metadata: ["s3": "\(configuration.host):\(port)"])
                await onListening(port)
            },
            logger: logger)
        try await application.run()
    }
}
