/// Appends the codec's primitives: bytes, LEB128 varints, length-prefixed UTF-8.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func id(_ id: MemberID) { bytes.append(contentsOf: id.bytes) }

    /// A record's claimed fields, as both the codec and the signed claim carry them.
    mutating func recordFields(_ record: MemberRecord) {
        id(record.id)
        string(record.address)
        string(record.zone)
        varint(record.capacity)
        varint(record.meta.usedBytes)
        varint(record.meta.chunkCount)
        varint(record.incarnation)
    }

    mutating func proof(_ proof: MemberProof) {
        id(proof.publicKey)
        id(proof.signatureHigh)
        id(proof.signatureLow)
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}
