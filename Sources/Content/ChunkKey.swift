/// The AES-256-GCM key of one chunk. Its description is redacted so it never reaches a log.
public struct ChunkKey: Sendable, Hashable, CustomStringConvertible {
    /// Number of bytes in a key.
    public static let size = 32

    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        self.bytes = bytes
    }

    public var description: String { "ChunkKey(redacted)" }
}

/// What a reader needs to get one chunk back: where it is and how to decrypt it.
public struct ChunkReference: Sendable, Hashable {
    /// SHA-256 of the ciphertext.
    public var id: ChunkID
    /// The convergent key of the plaintext.
    public var key: ChunkKey

    public init(id: ChunkID, key: ChunkKey) {
        self.id = id
        self.key = key
    }
}
