import NIOCore

/// What `PeerConnection` asks `RPCHandler` to do on the event loop.
enum RPCOutbound {
    case call(id: UInt64, method: UInt16, payload: ByteBuffer, timeout: TimeAmount, promise: EventLoopPromise<ByteBuffer>)
    case cancel(id: UInt64)
}
