import NIOCore
import Synchronization
import Transport
@testable import Peer

/// Peers in memory, for unit tests of the node's services: each address answers through an
/// `RPCService` (a real `PeerService` over fakes, or a stub), no socket anywhere. Errors a
/// service throws on purpose reach the caller as the transport delivers them
/// (`TransportError.remote`); an address marked down, or unknown, refuses the connection.
final class MemoryNetwork: Sendable {
    private struct Endpoint {
        var nodeID: NodeID
        var service: any RPCService
        var isDown = false
    }

    private let endpoints = Mutex<[String: Endpoint]>([:])
    /// Every call made, in order: (caller, method, address).
    let calls = Mutex<[(caller: NodeID, method: PeerMethod, address: String)]>([])

    init() {}

    func serve(_ address: String, as nodeID: NodeID, with service: any RPCService) {
        endpoints.withLock { $0[address] = Endpoint(nodeID: nodeID, service: service) }
    }

    func setDown(_ address: String, _ isDown: Bool) {
        endpoints.withLock { $0[address]?.isDown = isDown }
    }

    /// The calls of one peer, made as `caller`.
    func peer(_ caller: NodeID) -> MemoryPeers { MemoryPeers(network: self, caller: caller) }

    fileprivate func call(
        _ method: PeerMethod, _ payload: ByteBuffer, at address: String, expecting expected: NodeID?, from caller: NodeID, timeout: TimeAmount
    ) async throws -> ByteBuffer {
        calls.withLock { $0.append((caller, method, address)) }
        guard let endpoint = endpoints.withLock({ $0[address] }), !endpoint.isDown else { throw TransportError.connectionClosed }
        if let expected, expected != endpoint.nodeID {
            throw PeerNodeError.unexpectedPeer(address: address, expected: expected, found: endpoint.nodeID)
        }
        do {
            return try await endpoint.service.handle(
                RPCRequest(method: method.rawValue, payload: payload, peer: caller, deadline: .now() + timeout))
        } catch let error as RPCError {
            throw TransportError.remote(status: error.status, message: error.message)
        }
    }
}

/// One peer's way to the others on a `MemoryNetwork`.
struct MemoryPeers: PeerCalls {
    let network: MemoryNetwork
    let caller: NodeID

    func call(_ method: PeerMethod, _ payload: ByteBuffer, at address: String, expecting expected: NodeID?, timeout: TimeAmount) async throws
        -> ByteBuffer {
        try await network.call(method, payload, at: address, expecting: expected, from: caller, timeout: timeout)
    }
}
