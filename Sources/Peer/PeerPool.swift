import Logging
import Transport

/// Keeps one admitted outgoing connection per peer address, opening it on first use.
/// Concurrent requests for the same address share one connection attempt.
actor PeerPool {
    private let connector: PeerConnector
    private var connections: [String: PeerConnection] = [:]
    private var connecting: [String: Task<PeerConnection, Error>] = [:]

    init(connector: PeerConnector) {
        self.connector = connector
    }

    func connection(to address: String) async throws -> PeerConnection {
        if let existing = connections[address], existing.isActive { return existing }
        if let attempt = connecting[address] { return try await attempt.value }
        guard let target = HostPort(parsing: address) else { throw PeerNodeError.badAddress(address) }
        let connector = connector
        let attempt = Task { try await connector.connect(host: target.host, port: target.port) }
        connecting[address] = attempt
        defer { connecting[address] = nil }
        let connection = try await attempt.value
        connections[address] = connection
        return connection
    }

    /// Drops the connection to `address` (after a failure), so the next use reconnects.
    func forget(_ address: String) async {
        if let connection = connections.removeValue(forKey: address) { await connection.close() }
    }

    func closeAll() async {
        let all = connections.values
        connections = [:]
        for connection in all { await connection.close() }
    }
}

/// Failures of the node engine.
public enum PeerNodeError: Error, Sendable, CustomStringConvertible {
    case badAddress(String)
    case notStarted

    public var description: String {
        switch self {
        case .badAddress(let address): "not a host:port address: \(address)"
        case .notStarted: "the peer is not running"
        }
    }
}
