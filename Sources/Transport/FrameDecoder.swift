import NIOCore

/// Splits the admitted byte stream into `Frame`s. The claimed length is checked against
/// the limit as soon as its four bytes arrive, before anything is allocated for it, so a
/// peer cannot make us buffer more than one maximal frame.
///
/// A frame whose payload is at least `streamingThreshold` bytes and has not all arrived is
/// assembled in a buffer of its own, which takes the bytes out of each read as they come:
/// one copy, and the handler's cumulation buffer stays empty. Left in the cumulation, a
/// big payload was copied again each time more bytes were appended to a buffer a
/// delivered frame still shared (a fifth of a replica's CPU when it received chunks).
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// Payloads from this size on are assembled apart when they span reads.
    public static let defaultStreamingThreshold = 16 * 1024

    public let maximumLength: Int
    public let streamingThreshold: Int
    /// The frame being assembled: its header fields, and its payload so far.
    private var assembling: Frame?
    private var missing = 0

    public init(maximumLength: Int = Frame.defaultMaximumLength, streamingThreshold: Int = Self.defaultStreamingThreshold) {
        self.maximumLength = maximumLength
        self.streamingThreshold = streamingThreshold
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if var frame = assembling {
            let taken = min(missing, buffer.readableBytes)
            guard taken > 0 else { return .needMoreData }
            frame.payload.writeImmutableBuffer(buffer.readSlice(length: taken)!)
            missing -= taken
            guard missing == 0 else {
                assembling = frame
                return .needMoreData
            }
            assembling = nil
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        }
        if let frame = try Self.decodeFrame(from: &buffer, maximumLength: maximumLength) {
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        }
        // Incomplete. A big payload moves to a buffer of its own (the header is checked).
        guard let header = try Self.header(in: buffer, maximumLength: maximumLength), header.payloadLength >= streamingThreshold else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 4 + Frame.headerSize)
        var frame = header.frame
        frame.payload = context.channel.allocator.buffer(capacity: header.payloadLength)
        frame.payload.writeBuffer(&buffer)
        missing = header.payloadLength - frame.payload.readableBytes
        assembling = frame
        return .needMoreData
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if seenEOF, assembling != nil || buffer.readableBytes > 0 {
            let left = buffer.readableBytes + (assembling?.payload.readableBytes ?? 0)
            throw TransportError.malformedFrame("connection ended inside a frame (\(left) bytes left)")
        }
        return .needMoreData
    }

    /// Decodes one frame if it is complete; nil when more bytes are needed. Pure, so the
    /// fuzzer and the golden-vector tests call it directly.
    public static func decodeFrame(from buffer: inout ByteBuffer, maximumLength: Int) throws(TransportError) -> Frame? {
        guard let header = try header(in: buffer, maximumLength: maximumLength),
            buffer.readableBytes >= 4 + Frame.headerSize + header.payloadLength
        else { return nil }
        var frame = header.frame
        frame.payload = buffer.getSlice(at: buffer.readerIndex + 4 + Frame.headerSize, length: header.payloadLength)!
        buffer.moveReaderIndex(forwardBy: 4 + Frame.headerSize + header.payloadLength)
        return frame
    }

    /// The header at the buffer's reader index, checked, once its bytes are there (the
    /// length alone is checked against the limit as soon as it is there).
    private static func header(in buffer: ByteBuffer, maximumLength: Int) throws(TransportError) -> (frame: Frame, payloadLength: Int)? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let frameLength = Int(length)
        guard frameLength <= maximumLength else { throw .frameTooLarge(claimed: frameLength, limit: maximumLength) }
        guard frameLength >= Frame.headerSize else {
            throw .malformedFrame("length \(frameLength) is shorter than the \(Frame.headerSize)-byte header")
        }
        guard buffer.readableBytes >= 4 + Frame.headerSize else { return nil }
        let start = buffer.readerIndex + 4
        let version = buffer.getInteger(at: start, as: UInt8.self)!
        guard version == Frame.version else { throw .unsupportedVersion(version) }
        let rawKind = buffer.getInteger(at: start + 1, as: UInt8.self)!
        guard let kind = Frame.Kind(rawValue: rawKind) else { throw .unknownFrameKind(rawKind) }
        if kind == .cancel, frameLength != Frame.headerSize {
            throw .malformedFrame("cancel frame carries a payload")
        }
        let frame = Frame(
            kind: kind, code: buffer.getInteger(at: start + 2, as: UInt16.self)!, requestID: buffer.getInteger(at: start + 4, as: UInt64.self)!,
            deadlineMilliseconds: buffer.getInteger(at: start + 12, as: UInt32.self)!)
        return (frame, frameLength - Frame.headerSize)
    }
}
