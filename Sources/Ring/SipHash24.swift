/// SipHash-2-4 (Aumasson and Bernstein, 2012): a fast keyed 64-bit hash with good
/// statistical quality. Placement uses it with a fixed public key to derive token
/// positions, so every peer computes the same ring.
struct SipHash24 {
    let k0: UInt64
    let k1: UInt64

    /// The fixed key of token positions: the ASCII of "p2pstore/ring/v1" as two
    /// little-endian words. Changing it moves every key, so it is versioned by name.
    static let ringTokens = SipHash24(k0: 0x7269_722f_6572_6f74, k1: 0x3176_2f67_6e69_7273)

    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always) func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }

        let count = bytes.count
        let fullWords = count / 8
        for index in 0..<fullWords {
            let m = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            v3 ^= m
            round(); round()
            v0 ^= m
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        for index in 0..<(count % 8) {
            last |= UInt64(bytes[fullWords * 8 + index]) << UInt64(8 * index)
        }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }
}

extension UInt64 {
    @inline(__always) func rotatedLeft(_ count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
