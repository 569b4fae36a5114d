/// The header in front of every chunk in a segment file (layout version 2):
///
/// ```
/// magic "p2pc" (4) | length, u32 big-endian (4) | chunk id (32) | the chunk's bytes (length)
/// ```
///
/// A record carries everything needed to index it again: recovery walks a segment's tail
/// record by record, and a record is valid only when its bytes hash to its id, so a write
/// torn by a crash is recognised without a separate checksum.
struct SegmentRecord: Equatable {
    static let magic: [UInt8] = Array("p2pc".utf8)
    static let headerSize = 40
    /// Largest chunk the store holds: far above any chunk size the encoder makes.
    static let maximumLength = 64 << 20

    var id: StoredChunkID
    var length: Int

    /// The 40 header bytes.
    var header: [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerSize)
        let length = UInt32(length)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        bytes += id.bytes
        return bytes
    }

    /// Bytes the record takes in its segment.
    var footprint: Int { Self.headerSize + length }

    /// Parses a header; nil when the bytes cannot be one (no magic, a length out of bounds).
    init?(header bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == Self.headerSize, Array(bytes[0..<4]) == Self.magic else { return nil }
        let length = bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard length <= Self.maximumLength, let id = StoredChunkID(bytes: Array(bytes[8..<40])) else { return nil }
        self.init(id: id, length: length)
    }

    init(id: StoredChunkID, length: Int) {
        self.id = id
        self.length = length
    }
}
