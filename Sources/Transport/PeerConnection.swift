import NIOCore
import Synchronization

/// An admitted connection to one peer, usable from any task. Both sides of a connection
/// get one and may call each other.
public final class PeerConnection: Sendable {
    /// Who is at the other end (NodeID of the key it presented and proved).
    public let peer: NodeID
    public let channel: Channel
    private let nextID = Atomic<UInt64>(1)

    init(peer: NodeID, channel: Channel) {
        self.peer = peer
        self.channel = channel
    }

    public var isActive: Bool { channel.isActive }

    /// Sends a request and waits for its answer, at most `timeout`. Task cancellation
    /// cancels the request at the peer too.
    public func call(_ method: UInt16, _ payload: ByteBuffer, timeout: TimeAmount = .seconds(30)) async throws -> ByteBuffer {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let channel = channel
        return try await withTaskCancellationHandler {
            channel.writeAndFlush(RPCOutbound.call(id: id, method: method, payload: payload, timeout: timeout, promise: promise), promise: nil)
            return try await promise.futureResult.get()
        } onCancel: {
            channel.writeAndFlush(RPCOutbound.cancel(id: id), promise: nil)
        }
    }

    /// Closes the connection with a TLS close_notify.
    public func close() async {
        try? await channel.close()
    }
}
