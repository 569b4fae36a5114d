/// FastCDC 2020 content-defined chunking (Xia et al., 2020): parameters and the cut-point search.
///
/// The cut points are bit-for-bit those of fastcdc-rs's `v2020` module with normalization
/// level 1 (its gear table, no seed), so chunk boundaries, and therefore deduplication,
/// are stable across implementations. The test vectors live in `fixtures/fastcdc/`.
public struct FastCDC: Sendable, Hashable {
    /// Smallest accepted average chunk size.
    public static let smallestAverageSize = 256
    /// Largest accepted average chunk size (the maximum chunk is then 16 MiB).
    public static let largestAverageSize = 4 * 1024 * 1024

    /// No chunk is shorter, except the last chunk of a stream.
    public let minSize: Int
    /// The target chunk size.
    public let averageSize: Int
    /// No chunk is longer.
    public let maxSize: Int

    // Masks of fastcdc-rs (from the destor reference and restic-FastCDC), indexed by
    // log2 of the average size; spreading the bits slightly improves deduplication.
    private static let masks: [UInt64] = [
        0, 0, 0, 0, 0,
        0x0000_0000_0180_4110, 0x0000_0000_0180_3110, 0x0000_0000_1803_5100,
        0x0000_0018_0003_5300, 0x0000_0190_0035_3000, 0x0000_5900_0353_0000,
        0x0000_d900_0353_0000, 0x0000_d901_0353_0000, 0x0000_d903_0353_0000,
        0x0000_d903_1353_0000, 0x0000_d90f_0353_0000, 0x0000_d903_0353_7000,
        0x0000_d907_0353_7000, 0x0000_d907_0753_7000, 0x0000_d917_0753_7000,
        0x0000_d917_4753_7000, 0x0000_d917_6753_7000, 0x0000_d937_6753_7000,
        0x0000_d937_7753_7000, 0x0000_d937_7757_7000, 0x0000_db37_7757_7000,
    ]

    /// The harder mask, used before the average size is reached (normalization level 1).
    let maskSmall: UInt64
    /// The easier mask, used after the average size.
    let maskLarge: UInt64

    /// The p2pstore parameters: minimum `averageSize / 4`, maximum `4 × averageSize`.
    public init(averageSize: Int) throws(FastCDCError) {
        try self.init(minSize: averageSize / 4, averageSize: averageSize, maxSize: averageSize * 4)
    }

    /// Explicit sizes, within fastcdc-rs's accepted ranges.
    public init(minSize: Int, averageSize: Int, maxSize: Int) throws(FastCDCError) {
        guard (Self.smallestAverageSize...Self.largestAverageSize).contains(averageSize),
              (64...1_048_576).contains(minSize), (1024...16_777_216).contains(maxSize),
              minSize <= averageSize, averageSize <= maxSize
        else { throw .unsupportedSizes(min: minSize, average: averageSize, max: maxSize) }
        self.minSize = minSize
        self.averageSize = averageSize
        self.maxSize = maxSize
        // fastcdc-rs rounds log2 of the average to the nearest integer.
        let bits = Self.roundedLog2(averageSize)
        maskSmall = Self.masks[bits + 1]
        maskLarge = Self.masks[bits - 1]
    }

    /// Hashes byte pairs from `2 × index` until a pair ending before `2 × end`; returns the
    /// first position where the hash has all `mask` bits clear.
    @inline(__always)
    private static func scan(
        _ source: UnsafeRawPointer, _ index: inout Int, end: Int, mask: UInt64, _ hash: inout UInt64,
        _ gear: UnsafeBufferPointer<UInt64>, _ gearShifted: UnsafeBufferPointer<UInt64>
    ) -> Cut? {
        let maskShifted = mask << 1
        var current = hash
        var position = index &* 2
        let stop = end &* 2
        defer { hash = current; index = position / 2 }
        while position < stop {
            current = (current &<< 2) &+ gearShifted[Int(source.load(fromByteOffset: position, as: UInt8.self))]
            if current & maskShifted == 0 { return Cut(length: position, gearHash: current) }
            current = current &+ gear[Int(source.load(fromByteOffset: position &+ 1, as: UInt8.self))]
            if current & mask == 0 { return Cut(length: position &+ 1, gearHash: current) }
            position &+= 2
        }
        return nil
    }

    /// log2 rounded to the nearest integer, as fastcdc-rs computes it.
    static func roundedLog2(_ value: Int) -> Int {
        let floor = Int.bitWidth - 1 - value.leadingZeroBitCount
        // Round up when value ≥ 2^floor × √2, i.e. value² ≥ 2^(2·floor + 1).
        return value * value >= 1 << (2 * floor + 1) ? floor + 1 : floor
    }

    /// Where a chunk ends and the gear hash at that point.
    public struct Cut: Sendable, Hashable {
        /// Length of the chunk from the start of the searched bytes.
        public var length: Int
        /// The gear hash when the cut was found (0 for a tail shorter than the minimum).
        public var gearHash: UInt64
    }

    /// Finds the first chunk of `bytes`.
    ///
    /// The answer depends only on the first `maxSize` bytes and on whether fewer than
    /// `maxSize` are given: a streaming caller must pass at least `maxSize` bytes unless
    /// it has reached the end of the stream.
    public func cut(_ bytes: UnsafeRawBufferPointer) -> Cut {
        var remaining = bytes.count
        guard remaining > minSize, let source = bytes.baseAddress else { return Cut(length: remaining, gearHash: 0) }
        var center = averageSize
        if remaining > maxSize {
            remaining = maxSize
        } else if remaining < center {
            center = remaining
        }
        return GearTable.gear.withUnsafeBufferPointer { gear in
            GearTable.gearShifted.withUnsafeBufferPointer { gearShifted in
                // Two bytes per step: the first byte's gear value is pre-shifted so that one
                // shift by two covers both (FastCDC 2020, section 3.7).
                var hash: UInt64 = 0
                var index = minSize / 2
                if let cut = Self.scan(source, &index, end: center / 2, mask: maskSmall, &hash, gear, gearShifted) {
                    return cut
                }
                if let cut = Self.scan(source, &index, end: remaining / 2, mask: maskLarge, &hash, gear, gearShifted) {
                    return cut
                }
                // No boundary before the maximum: cut there (all-zero input, for example).
                return Cut(length: remaining, gearHash: hash)
            }
        }
    }
}

/// Chunking parameters outside the supported ranges.
public enum FastCDCError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedSizes(min: Int, average: Int, max: Int)

    public var description: String {
        switch self {
        case .unsupportedSizes(let min, let average, let max):
            "unsupported chunk sizes min \(min), average \(average), max \(max): the average must be "
                + "\(FastCDC.smallestAverageSize)...\(FastCDC.largestAverageSize) bytes"
        }
    }
}

