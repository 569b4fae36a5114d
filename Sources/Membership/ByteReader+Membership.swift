import Codecs

/// The membership codec's fields, read with the shared `ByteReader`: every failure is a
/// typed `MessageCodecError` naming the field and its offset.
extension ByteReader {
    mutating func byte(_ field: String) throws(MessageCodecError) -> UInt8 {
        do { return try readUInt8() } catch { throw MessageCodecError(.truncated, at: offset, "\(field): need 1 byte") }
    }

    mutating func varint(_ field: String) throws(MessageCodecError) -> UInt64 {
        let start = offset
        do {
            return try readVarint()
        } catch .malformedVarint {
            throw MessageCodecError(.malformedInteger, at: start, "\(field): varint overflows 64 bits")
        } catch {
            throw MessageCodecError(.truncated, at: offset, "\(field): need 1 byte")
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
        do {
            return MemberID(bytes: try readBytes(count: MemberID.byteCount))!
        } catch {
            throw MessageCodecError(.truncated, at: offset, "\(field): need \(MemberID.byteCount) bytes")
        }
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
        let start = offset
        do {
            guard let value = String(validating: try readBytes(count: length), as: UTF8.self) else {
                throw MessageCodecError(.invalidUTF8, at: start, "\(field): not UTF-8")
            }
            return value
        } catch let error as MessageCodecError {
            throw error
        } catch {
            throw MessageCodecError(.truncated, at: start, "\(field): need \(length) bytes")
        }
    }
}
