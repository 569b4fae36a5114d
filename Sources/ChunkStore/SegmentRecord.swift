/// The header in front of every chunk in a segment file (layout version 2):
///
/// ```
/// magic "p2pc" (4) | length, u32 big-endian (4) | chunk id (32) | the chunk's bytes (length)
/// ```
///
/// A record carries everything needed to index it again: recovery walks a segment's tail
/// record by record, and a record is valid only when its bytes hash to its id, so a write
/// torn by a crash is recognised without a separate checksum.
///
/// Batches written with direct I/O start and end on a 4 KiB boundary; the gaps are padding
/// records (magic "p2pz", a length, 32 zero bytes, then `length` bytes to skip).
struct SegmentRecord: Equatable {
    static let magic: [UInt8] = Array("p2pc".utf8)
    static let paddingMagic: [UInt8] = Array("p2pz".utf8)
    /// Direct I/O's unit: offsets and lengths of direct writes are multiples of it.
    static let alignment = 4096
    static let headerSize = 40
    /// Largest chunk the store holds: far above any chunk size the encoder makes.
    static let maximumLength = 64 << 20

    var id: StoredChunkID
    var length: Int

    /// The 40 header bytes.
    var header: [UInt8] { Self.header(magic: Self.magic, length: length, id: id.bytes) }

    /// The header of a padding record that fills `gap` bytes (at least `headerSize`).
    static func paddingHeader(filling gap: Int) -> [UInt8] {
        header(magic: paddingMagic, length: gap - headerSize, id: [UInt8](repeating: 0, count: 32))
    }

    /// The gap from `offset` to the next boundary, made long enough to hold a padding record.
    static func paddingGap(after offset: UInt64) -> Int {
        let remainder = Int(offset % UInt64(alignment))
        guard remainder != 0 else { return 0 }
        let gap = alignment - remainder
        return gap < headerSize ? gap + alignment : gap
    }

    /// The length a padding header at the start of `bytes` says to skip (header included),
    /// or nil when it is not one.
    static func paddingFootprint(header bytes: [UInt8]) -> Int? {
        guard let length = length(in: bytes, magic: paddingMagic), length < 2 * alignment, bytes[8...].allSatisfy({ $0 == 0 }) else { return nil }
        return headerSize + length
    }

    /// The length field of a header that starts with `magic`, or nil.
    private static func length(in bytes: [UInt8], magic: [UInt8]) -> Int? {
        guard bytes.count == headerSize, Array(bytes[0..<4]) == magic else { return nil }
        return bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func header(magic: [UInt8], length: Int, id: [UInt8]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerSize)
        let length = UInt32(length)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        bytes += id
        return bytes
    }

    /// Bytes the record takes in its segment.
    var footprint: Int { Self.headerSize + length }

    /// Parses a header; nil when the bytes cannot be one (no magic, a length out of bounds).
    init?(header bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard let length = Self.length(in: bytes, magic: Self.magic), length <= Self.maximumLength, let id = StoredChunkID(bytes: Array(bytes[8..<40])) else { return nil }
        self.init(id: id, length: length)
    }

    init(id: StoredChunkID, length: Int) {
        self.id = id
        self.length = length
    }
}
