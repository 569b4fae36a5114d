import NIOCore
import Transport

/// How the node's services reach other peers: one RPC to the member expected at an
/// address. `PeerPool` carries calls over admitted TLS connections; unit tests answer them
/// in memory, so no service needs a socket to be tested.
protocol PeerCalls: Sendable {
    /// Calls `method` at `address`, whose peer must be `expected` when that is given.
    func call(_ method: PeerMethod, _ payload: ByteBuffer, at address: String, expecting expected: NodeID?, timeout: TimeAmount) async throws
        -> ByteBuffer
}

extension PeerCalls {
    /// Calls `method` on a member of the placement, checked against its NodeID.
    func call(_ method: PeerMethod, _ payload: ByteBuffer, on peer: PlacementPeer, timeout: TimeAmount) async throws -> ByteBuffer {
        try await call(method, payload, at: peer.address, expecting: peer.nodeID, timeout: timeout)
    }
}

extension PeerPool: PeerCalls {
    /// Small requests are timed into `latencies` (the connection's set-up left out); big
    /// payloads are not: their time is the link's bandwidth and the callee's disk, not how
    /// far the peer is.
    nonisolated func call(
        _ method: PeerMethod, _ payload: ByteBuffer, at address: String, expecting expected: NodeID?, timeout: TimeAmount
    ) async throws -> ByteBuffer {
        let connection = try await connection(to: address, expecting: expected)
        let clock = ContinuousClock(), start = clock.now
        let answer = try await connection.call(method, payload, timeout: timeout)
        if payload.readableBytes + answer.readableBytes <= Self.largestTimedBytes {
            latencies.record(clock.now - start, for: connection.peer)
        }
        return answer
    }

    /// Requests and answers up to this size, together, are timed.
    static let largestTimedBytes = 16 << 10
}

extension PeerConnection {
    /// Calls one of the node engine's methods on this connection.
    public func call(_ method: PeerMethod, _ payload: ByteBuffer, timeout: TimeAmount = .seconds(30)) async throws -> ByteBuffer {
        try await call(method.rawValue, payload, timeout: timeout)
    }

    /// Sends a typed request on this connection and decodes its answer.
    func call<Request: PeerRequest>(_ request: Request, timeout: TimeAmount) async throws -> Request.Response {
        let answer = try await call(Request.method, request.payload, timeout: timeout)
        do {
            return try request.response(from: answer)
        } catch {
            throw PeerNodeError.malformedAnswer(method: Request.method, address: "\(peer.short)", reason: error.reason)
        }
    }
}
