import NIOCore

/// What a peer does with the requests it receives. The node engine implements it; the
/// transport knows nothing of chunks or membership.
public protocol RPCService: Sendable {
    func handle(_ request: RPCRequest) async throws -> ByteBuffer
}

/// A request as the service sees it: method, payload, and who asked (already admitted).
public struct RPCRequest: Sendable {
    public let method: UInt16
    public let payload: ByteBuffer
    public let peer: NodeID
    /// When the caller stops waiting; work past it is wasted.
    public let deadline: NIODeadline

    public init(method: UInt16, payload: ByteBuffer, peer: NodeID, deadline: NIODeadline) {
        self.method = method
        self.payload = payload
        self.peer = peer
        self.deadline = deadline
    }
}

/// An error a service returns on purpose: sent to the caller as its status and message.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: UInt16
    public let message: String

    public init(status: UInt16, message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> RPCError { RPCError(status: 400, message: message) }
    public static func notFound(_ message: String) -> RPCError { RPCError(status: 404, message: message) }
    public static func unknownMethod(_ method: UInt16) -> RPCError { RPCError(status: 405, message: "unknown method \(method)") }
    public static func busy(_ message: String) -> RPCError { RPCError(status: 503, message: message) }

    public var description: String { "\(status): \(message)" }
}

/// A service that answers every request with "unknown method": for connections that
/// only ever call out.
public struct NoRPCService: RPCService {
    public init() {}
    public func handle(_ request: RPCRequest) async throws -> ByteBuffer { throw RPCError.unknownMethod(request.method) }
}
