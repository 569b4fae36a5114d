import NIOCore
import Transport

/// One RPC of the node engine, typed: the method it travels as, its payload (built once, so
/// every replica's frame shares one buffer), and what its answer decodes to. Callers send a
/// value — `calls.call(ChunkMessages.Fetch(id: id), on: peer)` — and get the typed answer;
/// the wire formats (docs/protocol.md) live beside each type, in `ChunkMessages`,
/// `RecordMessages` and `MessageCodec`.
protocol PeerRequest: Sendable {
    associatedtype Response: Sendable
    static var method: PeerMethod { get }
    /// The payload as it travels.
    var payload: ByteBuffer { get }
    /// Decodes the callee's answer; a malformed one is the callee's fault.
    func response(from answer: ByteBuffer) throws(ChunkMessageError) -> Response
}

extension PeerRequest where Response == Void {
    /// An empty answer: nothing to decode.
    func response(from answer: ByteBuffer) throws(ChunkMessageError) {}
}

extension PeerCalls {
    /// Sends `request` to a member of the placement and decodes its answer.
    func call<Request: PeerRequest>(_ request: Request, on peer: PlacementPeer, timeout: TimeAmount) async throws -> Request.Response {
        try await call(request, at: peer.address, expecting: peer.nodeID, timeout: timeout)
    }

    /// Sends `request` to the peer at `address` (which must be `expected` when given) and decodes its answer.
    func call<Request: PeerRequest>(
        _ request: Request, at address: String, expecting expected: NodeID?, timeout: TimeAmount
    ) async throws -> Request.Response {
        let answer = try await call(Request.method, request.payload, at: address, expecting: expected, timeout: timeout)
        do {
            return try request.response(from: answer)
        } catch {
            throw PeerNodeError.malformedAnswer(method: Request.method, address: address, reason: error.reason)
        }
    }
}
