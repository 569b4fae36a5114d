import FolderSync
import Home
import Hummingbird
import Logging
import NIOCore
import Peer
import Prometheus
import ServiceLifecycle

/// The local HTTP API of a peer (docs/api.md): bearer-token auth, JSON errors, and one
/// route-building function per concern (`StatusRoutes`, `FileRoutes`, `MetricsRoutes`,
/// `DashboardRoutes`, `SyncRoutes`, `PeerRoutes`, `CacheRoutes`, `S3KeyRoutes`).
///
/// The server is a swift-service-lifecycle `Service`: run it in a `ServiceGroup` for
/// graceful shutdown, or call `run()` and cancel the task.
public struct APIServer: Service {
    public struct Configuration: Sendable {
        /// Address to bind; port 0 lets the kernel choose (tests).
        public var address: HostPort
        /// The bearer token clients must present (`PeerHome.apiToken()`).
        public var token: String

        public init(address: HostPort, token: String) {
            self.address = address
            self.token = token
        }
    }

    private let configuration: Configuration
    private let status: any StatusSource
    private let files: (any FileSource)?
    private let metrics: (registry: PrometheusCollectorRegistry, source: any MetricsSource)?
    private let sync: SyncService?
    private let peers: (any PeerAdministrationSource)?
    private let cache: (any CacheSource)?
    private let s3Keys: (any S3KeySource)?
    private let logger: Logger

    /// `metrics`: the registry `GET /metrics` exports and the node that refreshes its gauges.
    public init(
        configuration: Configuration, status: any StatusSource, files: (any FileSource)? = nil,
        metrics: (registry: PrometheusCollectorRegistry, source: any MetricsSource)? = nil, sync: SyncService? = nil,
        peers: (any PeerAdministrationSource)? = nil, cache: (any CacheSource)? = nil, s3Keys: (any S3KeySource)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.status = status
        self.files = files
        self.metrics = metrics
        self.sync = sync
        self.peers = peers
        self.cache = cache
        self.s3Keys = s3Keys
        self.logger = logger
    }

    /// The Hummingbird application; `onListening` gets the bound port once the socket listens.
    public func application(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let logger = logger
        let address = configuration.address
        return Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: "p2pstore"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("API listening", metadata: ["api": "\(HostPort(host: address.host, port: port))"])
                await onListening(port)
            },
            logger: logger)
    }

    /// Serves until cancelled or gracefully shut down; a failure to listen names the address.
    public func run() async throws {
        do {
            try await application().run()
        } catch let error as CancellationError {
            throw error
        } catch {
            throw APIServerError(address: configuration.address, underlying: error)
        }
    }

    /// Every route behind the error and auth middleware; unknown paths are 401 without a
    /// token and 404 with one, so the API does not tell strangers which routes exist. Only
    /// the dashboard page, `GET /`, is served without a token: it holds no data and asks
    /// for the token itself.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware(logger: logger))
        router.add(middleware: BearerTokenMiddleware(token: configuration.token, publicPaths: [DashboardRoutes.path]))
        DashboardRoutes.add(to: router)
        StatusRoutes.add(to: router, source: status)
        if let files { FileRoutes.add(to: router, source: files) }
        if let metrics { MetricsRoutes.add(to: router, registry: metrics.registry, source: metrics.source) }
        if let sync { SyncRoutes.add(to: router, service: sync) }
        if let peers { PeerRoutes.add(to: router, source: peers) }
        if let cache { CacheRoutes.add(to: router, source: cache) }
        if let s3Keys { S3KeyRoutes.add(to: router, source: s3Keys) }
        return router
    }
}

/// The API server stopped with an error (most often: its address is taken).
public struct APIServerError: Error, CustomStringConvertible {
    public let address: HostPort
    public let underlying: any Error

    public var description: String { "cannot serve the API on \(address): \(underlying)" }
}
