import Hummingbird
import Peer
import Prometheus

/// What the metrics route needs from the node: a chance to set its gauges before a scrape.
public protocol MetricsSource: Sendable {
    func refreshMetrics() async
}

extension PeerNode: MetricsSource {}

/// `GET /metrics`: every metric of the registry in the Prometheus text format 0.0.4.
enum MetricsRoutes {
    static func add<Context: RequestContext>(
        to router: some RouterMethods<Context>, registry: PrometheusCollectorRegistry, source: any MetricsSource
    ) {
        router.get("metrics") { _, _ in
            await source.refreshMetrics()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
