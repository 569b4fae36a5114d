/// A 256-bit identity — a NodeID as membership and the ring see it: SHA-256 of a peer's
/// SubjectPublicKeyInfo. Stored as four big-endian words, so hashing and comparison are
/// cheap and the order equals the lexicographic order of the bytes.
public struct Identifier256: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of bytes in an identity.
    public static let byteCount = 32

    public let w0: UInt64
    public let w1: UInt64
    public let w2: UInt64
    public let w3: UInt64

    /// Creates an identity from exactly 32 bytes; `nil` for any other length. Inlinable, so
    /// that callers get it specialised: ids are parsed from every message and database row.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer -> (UInt64, UInt64, UInt64, UInt64) in
            let raw = UnsafeRawBufferPointer(buffer)
            func word(_ index: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
            return (word(0), word(1), word(2), word(3))
        }
        if let contiguous {
            (w0, w1, w2, w3) = contiguous
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (offset, byte) in bytes.enumerated() {
            switch offset / 8 {
            case 0: words.0 = words.0 << 8 | UInt64(byte)
            case 1: words.1 = words.1 << 8 | UInt64(byte)
            case 2: words.2 = words.2 << 8 | UInt64(byte)
            default: words.3 = words.3 << 8 | UInt64(byte)
            }
        }
        (w0, w1, w2, w3) = words
    }

    /// The identity of a SHA-256 digest, which is always 32 bytes.
    public init(digest: [UInt8]) {
        precondition(digest.count == Self.byteCount, "a SHA-256 digest has 32 bytes")
        self.init(bytes: digest)!
    }

    /// Creates an identity from its four big-endian words.
    public init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// The 32 bytes of the identity.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)) { Array($0) }
    }

    public static func < (lhs: Identifier256, rhs: Identifier256) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }

    /// The first 8 bytes in hex, enough to tell peers apart in logs.
    public var description: String {
        let hex = String(w0, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
