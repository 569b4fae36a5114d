/// MD5, one-shot or streaming. Digests are 16 bytes. Not for security: S3 clients send
/// `Content-MD5` and expect MD5 ETags, so the gateway needs it for compatibility only.
public final class MD5 {
    public static let digestSize = 16

    private let digest = EVPDigest(Algorithms.md5, size: digestSize)

    /// Starts a streaming hash.
    public init() {}

    public func update(_ buffer: UnsafeRawBufferPointer) { digest.update(buffer) }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Finishes the hash; the hasher must not be used afterwards.
    public func finalize() -> [UInt8] { digest.finalize() }

    /// One-shot digest of a buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        EVPDigest.hash(buffer, algorithm: Algorithms.md5, size: digestSize)
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }
}
