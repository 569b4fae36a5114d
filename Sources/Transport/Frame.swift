import NIOCore

/// One message on an admitted connection.
///
/// Wire format (big-endian), documented in docs/protocol.md:
/// ```
/// u32 length    bytes after this field (16 + payload), at most the decoder's limit
/// u8  version   1
/// u8  kind      1 request, 2 response, 3 error, 4 cancel
/// u16 code      method (request), status (error), 0 otherwise
/// u64 id        request id chosen by the caller; answers carry the same id
/// u32 deadline  request: milliseconds the caller will wait; 0 otherwise
/// ... payload
/// ```
public struct Frame: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case request = 1
        case response = 2
        case error = 3
        case cancel = 4
    }

    public static let version: UInt8 = 1
    /// Bytes of the header after the length field.
    public static let headerSize = 16
    /// Default ceiling on `length`: a 4 MiB chunk plus its tag and envelope fits with room.
    public static let defaultMaximumLength = 8 * 1024 * 1024

    public var kind: Kind
    public var code: UInt16
    public var requestID: UInt64
    public var deadlineMilliseconds: UInt32
    public var payload: ByteBuffer

    public init(kind: Kind, code: UInt16 = 0, requestID: UInt64, deadlineMilliseconds: UInt32 = 0, payload: ByteBuffer = ByteBuffer()) {
        self.kind = kind
        self.code = code
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.payload = payload
    }

    /// Appends the wire form to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        writeHeader(to: &buffer)
        var body = payload
        buffer.writeBuffer(&body)
    }

    /// Appends the length field and the header, everything but the payload.
    public func writeHeader(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(Self.headerSize + payload.readableBytes))
        buffer.writeInteger(Self.version)
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(code)
        buffer.writeInteger(requestID)
        buffer.writeInteger(deadlineMilliseconds)
    }
}
