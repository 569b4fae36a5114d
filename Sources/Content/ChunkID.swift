import Codecs
import OpenSSLKit

/// The address of a stored chunk: SHA-256 of its ciphertext.
///
/// Kept as four words rather than an array so that ids are cheap dictionary keys.
public struct ChunkID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Number of bytes in an id.
    public static let size = 32

    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// Wraps 32 bytes; nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.size else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() {
            words[index / 8] = words[index / 8] << 8 | UInt64(byte)
        }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// Parses 64 hex digits.
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The id of `ciphertext`.
    public init(hashing ciphertext: UnsafeRawBufferPointer) {
        self.init(bytes: SHA256.hash(ciphertext))!
    }

    /// The id of `ciphertext`.
    public init(hashing ciphertext: [UInt8]) {
        self = ciphertext.withUnsafeBytes { ChunkID(hashing: $0) }
    }

    /// The 32 bytes, big-endian.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(Self.size)
        for word in [words.0, words.1, words.2, words.3] {
            withUnsafeBytes(of: word.bigEndian) { output.append(contentsOf: $0) }
        }
        return output
    }

    /// Lowercase hex, 64 characters.
    public var description: String { Hex.encode(bytes) }

    public static func == (lhs: ChunkID, rhs: ChunkID) -> Bool {
        lhs.words == rhs.words
    }

    public static func < (lhs: ChunkID, rhs: ChunkID) -> Bool {
        (lhs.words.0, lhs.words.1, lhs.words.2, lhs.words.3) < (rhs.words.0, rhs.words.1, rhs.words.2, rhs.words.3)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
