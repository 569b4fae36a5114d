import Metrics
import OpenSSLKit

/// Counters of the transport, recorded through the process-wide swift-metrics factory
/// (`p2pd` bootstraps it; elsewhere they go nowhere).
public enum TransportMetrics {
    static let handshakes = "p2p_tls_handshakes_total"
    static let refusals = "p2p_admission_refusals_total"

    /// Name → HELP text of every metric this module records, for the exporter.
    public static let descriptions: [String: String] = [
        handshakes: "TLS 1.3 handshakes with other peers, by role (client, server) and outcome (success, failure).",
        refusals: "Connections closed because the other side's admission proof was missing or wrong (another network, a forged NodeID).",
    ]

    /// Creates every series at zero, so a scrape shows them before the first event.
    public static func registerSeries() {
        for role in ["client", "server"] {
            for outcome in ["success", "failure"] {
                _ = Counter(label: handshakes, dimensions: [("role", role), ("outcome", outcome)])
            }
        }
        _ = Counter(label: refusals)
    }

    static func handshake(role: TLSConnection.Role, succeeded: Bool) {
        Counter(label: handshakes, dimensions: [
            ("role", role == .client ? "client" : "server"), ("outcome", succeeded ? "success" : "failure"),
        ]).increment()
    }

    static func admissionRefused() {
        Counter(label: refusals).increment()
    }
}
