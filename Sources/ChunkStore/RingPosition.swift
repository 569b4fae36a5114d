/// How ring positions are stored in SQLite.
///
/// A ring position is an unsigned 64-bit integer (the first 8 bytes of a chunk id, big-endian),
/// but SQLite integers are signed. We store `Int64(bitPattern: position ^ 0x8000_0000_0000_0000)`
/// (offset binary): flipping the top bit maps unsigned order onto signed order, so
/// `ORDER BY ring_position` and range predicates on the column follow the ring exactly
/// (position 0 is stored as `Int64.min`, position `UInt64.max` as `Int64.max`).
enum RingPosition {
    private static let signBit: UInt64 = 0x8000_0000_0000_0000

    /// The column value for a ring position.
    static func encode(_ position: UInt64) -> Int64 {
        Int64(bitPattern: position ^ signBit)
    }

    /// The ring position for a column value.
    static func decode(_ stored: Int64) -> UInt64 {
        UInt64(bitPattern: stored) ^ signBit
    }
}
