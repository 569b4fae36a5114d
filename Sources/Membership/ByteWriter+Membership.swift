import Codecs

/// The membership codec's fields, written with the shared `ByteWriter`: varints,
/// varint-length UTF-8, ids and proofs.
extension ByteWriter {
    mutating func byte(_ value: UInt8) { write(value) }

    mutating func varint(_ value: UInt64) { write(varint: value) }

    mutating func id(_ id: MemberID) { write(raw: id.bytes) }

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
        write(raw: utf8)
    }
}
