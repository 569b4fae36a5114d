import Home
import Logging
import Transport

/// Keeps one admitted outgoing connection per peer address, opening it on first use.
/// Concurrent requests for the same address share one connection attempt.
///
/// A caller that knows which member should be at an address says so, and the pool
/// hands out only a connection whose TLS identity is that NodeID: a peer that claims
/// someone else's address, or an address now used by another member, gets nothing
/// meant for the member expected there.
actor PeerPool {
    private let connector: PeerConnector
    /// Answer times of the peers called (`PeerCalls`), read by the read path.
    nonisolated let latencies = PeerLatencies()
    private var connections: [String: PeerConnection] = [:]
    private var connecting: [String: Task<PeerConnection, Error>] = [:]

    init(connector: PeerConnector) {
        self.connector = connector
    }

    /// The connection to `address`, which must be to `expected` when that is given.
    func connection(to address: String, expecting expected: NodeID?) async throws -> PeerConnection {
        let connection = try await connection(to: address)
        if let expected, connection.peer != expected {
            throw PeerNodeError.unexpectedPeer(address: address, expected: expected, found: connection.peer)
        }
        return connection
    }

    /// The connection to a member of the placement, checked against its NodeID.
    func connection(to peer: PlacementPeer) async throws -> PeerConnection {
        try await connection(to: peer.address, expecting: peer.nodeID)
    }

    private func connection(to address: String) async throws -> PeerConnection {
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

    /// Closes the connections to `peers` (members just revoked).
    func close(peers: Set<NodeID>) async {
        for (address, connection) in connections where peers.contains(connection.peer) {
            connections[address] = nil
            await connection.close()
        }
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
    /// Membership says the peer is not up (suspect peers are still tried).
    case peerDown(state: PlacementPeer.State)
    /// The peer answered something that does not decode as the method's answer.
    case malformedAnswer(method: PeerMethod, address: String, reason: String)
    /// The peer that answered at `address` proved another identity than the member
    /// expected there.
    case unexpectedPeer(address: String, expected: NodeID, found: NodeID)

    public var description: String {
        switch self {
        case .badAddress(let address): "not a host:port address: \(address)"
        case .notStarted: "the peer is not running"
        case .peerDown(let state): "the peer is \(state)"
        case .malformedAnswer(let method, let address, let reason): "the peer at \(address) answered \(method.label) with a malformed payload: \(reason)"
        case .unexpectedPeer(let address, let expected, let found):
            "the peer at \(address) is \(found.short), not the expected \(expected.short)"
        }
    }
}
