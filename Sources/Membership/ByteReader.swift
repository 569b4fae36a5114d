/// Reads the codec's primitives, refusing anything out of bounds with a typed error.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func byte(_ field: String) throws(MessageCodecError) -> UInt8 {
        guard offset < bytes.count else { throw MessageCodecError(.truncated, at: offset, "\(field): need 1 byte") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint(_ field: String) throws(MessageCodecError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte(field)
            if shift == 63, next > 1 {
                throw MessageCodecError(.malformedInteger, at: start, "\(field): varint overflows 64 bits")
            }
            value |= UInt64(next & 0x7f) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw MessageCodecError(.malformedInteger, at: start, "\(field): varint longer than 10 bytes") }
        }
    }

    mutating func uint32(_ field: String) throws(MessageCodecError) -> UInt32 {
        let start = offset
        let value = try varint(field)
        guard let narrow = UInt32(exactly: value) else {
            throw MessageCodecError(.malformedInteger, at: start, "\(field): \(value) exceeds 32 bits")
        }
        return narrow
    }

    /// A count bounded by `limit` and by what the remaining bytes could hold, so a
    /// hostile count never drives an allocation.
    mutating func count(_ field: String, limit: Int, minimumElementSize: Int) throws(MessageCodecError) -> Int {
        let start = offset
        let value = try varint(field)
        guard value <= UInt64(limit) else {
            throw MessageCodecError(.limitExceeded, at: start, "\(field): \(value) exceeds limit \(limit)")
        }
        guard Int(value) * minimumElementSize <= remaining else {
            throw MessageCodecError(.truncated, at: start, "\(field): \(value) elements cannot fit in \(remaining) bytes")
        }
        return Int(value)
    }

    mutating func id(_ field: String) throws(MessageCodecError) -> MemberID {
        guard remaining >= MemberID.byteCount else {
            throw MessageCodecError(.truncated, at: offset, "\(field): need \(MemberID.byteCount) bytes")
        }
        func word(_ start: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in start..<(start + 8) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        let id = MemberID(words: word(offset), word(offset + 8), word(offset + 16), word(offset + 24))
        offset += MemberID.byteCount
        return id
    }

    /// A member's proof: 32 key bytes, then the 64-byte signature.
    mutating func proof(_ field: String) throws(MessageCodecError) -> MemberProof {
        guard remaining >= MemberProof.byteCount else {
            throw MessageCodecError(.truncated, at: offset, "\(field): need \(MemberProof.byteCount) bytes")
        }
        return MemberProof(publicKey: try id(field), signatureHigh: try id(field), signatureLow: try id(field))
    }

    mutating func string(_ field: String, limit: Int) throws(MessageCodecError) -> String {
        let length = try count(field, limit: limit, minimumElementSize: 1)
        let slice = bytes[offset..<(offset + length)]
        guard let value = String(validating: slice, as: UTF8.self) else {
            throw MessageCodecError(.invalidUTF8, at: offset, "\(field): not UTF-8")
        }
        offset += length
        return value
    }
}
