/// Reads what `ByteWriter` wrote, refusing to run past the end or to trust a length
/// larger than the bytes that are actually there.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt8() throws(ByteReaderError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(offset: offset, needed: 1) }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func read<Integer: FixedWidthInteger>(_: Integer.Type) throws(ByteReaderError) -> Integer {
        let size = MemoryLayout<Integer>.size
        guard remaining >= size else { throw .truncated(offset: offset, needed: size) }
        var value: Integer = 0
        for index in 0..<size {
            value = (value << 8) | Integer(bytes[offset + index])
        }
        offset += size
        return value
    }

    /// Reads an unsigned LEB128 varint: at most 10 bytes, and no bit beyond the 64th.
    public mutating func readVarint() throws(ByteReaderError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try readUInt8()
            if shift == 63, next > 1 { throw .malformedVarint(offset: start) }
            value |= UInt64(next & 0x7f) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start) }
        }
    }

    public mutating func readBytes(count: Int) throws(ByteReaderError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw .truncated(offset: offset, needed: count) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a 32-bit length and that many bytes; refuses lengths above `limit`.
    public mutating func readLengthPrefixed(limit: Int) throws(ByteReaderError) -> [UInt8] {
        let length = Int(try read(UInt32.self))
        guard length <= limit else { throw .lengthOverLimit(length: length, limit: limit) }
        return try readBytes(count: length)
    }

    /// Reads a 16-bit length and that many bytes of UTF-8.
    public mutating func readShortString() throws(ByteReaderError) -> String {
        let length = Int(try read(UInt16.self))
        let utf8 = try readBytes(count: length)
        guard let string = String(validating: utf8, as: UTF8.self) else { throw .invalidUTF8(offset: offset - length) }
        return string
    }

    /// Throws unless every byte was consumed: trailing garbage is an error, not ignored.
    public func expectEnd() throws(ByteReaderError) {
        guard isAtEnd else { throw .trailingBytes(count: remaining) }
    }
}

public enum ByteReaderError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(offset: Int, needed: Int)
    case lengthOverLimit(length: Int, limit: Int)
    case invalidUTF8(offset: Int)
    case trailingBytes(count: Int)
    case malformedVarint(offset: Int)

    public var description: String {
        switch self {
        case .truncated(let offset, let needed): "input truncated at byte \(offset) (needed \(needed) more)"
        case .lengthOverLimit(let length, let limit): "length \(length) exceeds the limit of \(limit)"
        case .invalidUTF8(let offset): "invalid UTF-8 at byte \(offset)"
        case .trailingBytes(let count): "\(count) unexpected trailing bytes"
        case .malformedVarint(let offset): "varint at byte \(offset) overflows 64 bits"
        }
    }
}
