import NIOCore

/// Splits the admitted byte stream into `Frame`s. The claimed length is checked against
/// the limit as soon as its four bytes arrive, before anything is allocated for it, so a
/// peer cannot make us buffer more than one maximal frame.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    public let maximumLength: Int

    public init(maximumLength: Int = Frame.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.decodeFrame(from: &buffer, maximumLength: maximumLength) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if buffer.readableBytes > 0, seenEOF {
            throw TransportError.malformedFrame("connection ended inside a frame (\(buffer.readableBytes) bytes left)")
        }
        return .needMoreData
    }

    /// Decodes one frame if it is complete; nil when more bytes are needed. Pure, so the
    /// fuzzer and the golden-vector tests call it directly.
    public static func decodeFrame(from buffer: inout ByteBuffer, maximumLength: Int) throws(TransportError) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let frameLength = Int(length)
        guard frameLength <= maximumLength else { throw .frameTooLarge(claimed: frameLength, limit: maximumLength) }
        guard frameLength >= Frame.headerSize else {
            throw .malformedFrame("length \(frameLength) is shorter than the \(Frame.headerSize)-byte header")
        }
        guard buffer.readableBytes >= 4 + frameLength else { return nil }
        let start = buffer.readerIndex + 4
        let version = buffer.getInteger(at: start, as: UInt8.self)!
        guard version == Frame.version else { throw .unsupportedVersion(version) }
        let rawKind = buffer.getInteger(at: start + 1, as: UInt8.self)!
        guard let kind = Frame.Kind(rawValue: rawKind) else { throw .unknownFrameKind(rawKind) }
        let code = buffer.getInteger(at: start + 2, as: UInt16.self)!
        let requestID = buffer.getInteger(at: start + 4, as: UInt64.self)!
        let deadline = buffer.getInteger(at: start + 12, as: UInt32.self)!
        if kind == .cancel, frameLength != Frame.headerSize {
            throw .malformedFrame("cancel frame carries a payload")
        }
        let payload = buffer.getSlice(at: start + Frame.headerSize, length: frameLength - Frame.headerSize)!
        buffer.moveReaderIndex(forwardBy: 4 + frameLength)
        return Frame(kind: kind, code: code, requestID: requestID, deadlineMilliseconds: deadline, payload: payload)
    }
}
