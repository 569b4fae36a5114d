import NIOCore

/// Writes `Frame`s in their wire form: the 20-byte header as one small buffer, then the
/// payload buffer itself, so a large payload is never copied here (a `MessageToByteEncoder`
/// would copy it into the frame). `TLSHandler` encrypts both straight from these buffers.
public final class FrameEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = Frame
    public typealias OutboundOut = ByteBuffer

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        var header = context.channel.allocator.buffer(capacity: 4 + Frame.headerSize)
        frame.writeHeader(to: &header)
        guard frame.payload.readableBytes > 0 else {
            context.write(wrapOutboundOut(header), promise: promise)
            return
        }
        context.write(wrapOutboundOut(header), promise: nil)
        context.write(wrapOutboundOut(frame.payload), promise: promise)
    }
}
