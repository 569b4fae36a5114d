/// Appends big-endian integers, LEB128 varints and length-prefixed fields to a byte array.
///
/// Every persisted or transmitted binary format of p2pstore is written with this type,
/// so the byte order and the length-prefix rules are defined in one place.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write<Bytes: Sequence>(raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Writes an unsigned LEB128 varint (7 bits per byte, low bits first).
    public mutating func write(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Writes a 32-bit length followed by the bytes.
    public mutating func write<Bytes: Collection>(lengthPrefixed: Bytes) where Bytes.Element == UInt8 {
        write(UInt32(lengthPrefixed.count))
        bytes.append(contentsOf: lengthPrefixed)
    }

    /// Writes a 16-bit length followed by the UTF-8 of the string.
    public mutating func write(shortString string: String) {
        let utf8 = Array(string.utf8)
        precondition(utf8.count <= UInt16.max, "short string longer than 65535 bytes")
        write(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}
