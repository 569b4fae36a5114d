import Codecs
import OpenSSLKit

/// The address of a stored chunk: SHA-256 of its ciphertext. Text form: 64 hex digits.
public struct ChunkID: Identified256, CustomStringConvertible {
    /// Number of bytes in an id.
    public static let size = Identifier256.byteCount

    public let identifier: Identifier256

    public init(_ identifier: Identifier256) {
        self.identifier = identifier
    }

    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public init(hashing ciphertext: UnsafeRawBufferPointer) {
        self.init(Identifier256(digest: SHA256.hash(ciphertext)))
    }

    public init(hashing ciphertext: [UInt8]) {
        self = ciphertext.withUnsafeBytes { ChunkID(hashing: $0) }
    }

    public var description: String { Hex.encode(bytes) }
}
