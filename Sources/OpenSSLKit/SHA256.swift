/// SHA-256, one-shot or streaming. Digests are 32 bytes.
public final class SHA256 {
    public static let digestSize = 32

    private let digest = EVPDigest(Algorithms.sha256, size: digestSize)

    /// Starts a streaming hash.
    public init() {}

    public func update(_ buffer: UnsafeRawBufferPointer) { digest.update(buffer) }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Finishes the hash; the hasher must not be used afterwards.
    public func finalize() -> [UInt8] { digest.finalize() }

    /// One-shot digest of a buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        EVPDigest.hash(buffer, algorithm: Algorithms.sha256, size: digestSize)
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }
}
