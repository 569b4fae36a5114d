/// Why bytes could not be decoded as a membership packet.
public struct MessageCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// The input ended early.
        case truncated
        /// The version byte is not one this build reads.
        case unsupportedVersion
        /// A tag (message type, update kind, member state) is unknown.
        case unknownTag
        /// A variable-length integer is longer than 10 bytes or overflows its type.
        case malformedInteger
        /// A count or length exceeds `MessageCodec.Limits`.
        case limitExceeded
        /// A string is not valid UTF-8.
        case invalidUTF8
        /// Bytes remain after a complete packet.
        case trailingBytes
    }

    /// What went wrong.
    public var kind: Kind
    /// The byte offset at which it was noticed.
    public var offset: Int
    /// Which field, and what was expected.
    public var detail: String

    public init(_ kind: Kind, at offset: Int, _ detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "membership packet: \(kind) at byte \(offset): \(detail)" }
}
