import OpenSSLKit

/// The whole-content hash a root manifest carries (manifest version 2): SHA-256 over a
/// label and the SHA-256 of every data chunk's plaintext, in content order.
///
/// It verifies the content end to end like a hash of the bytes would (each chunk digest
/// commits to the chunk's bytes and length, the ordered list to the whole), but it reuses
/// the plaintext digests the convergent keys are derived from, so encoding hashes each byte
/// twice (key, chunk id) rather than three times. See docs/formats.md.
struct ContentHash {
    /// Domain separation from every other SHA-256 in the system.
    static let label = Array("p2pstore/content-hash/v2".utf8)

    private let hasher = SHA256()

    init() {
        hasher.update(Self.label)
    }

    /// Adds the next data chunk, given the SHA-256 of its plaintext.
    func add(chunkDigest: [UInt8]) {
        hasher.update(chunkDigest)
    }

    /// The hash; call once, after the last chunk.
    func finalize() -> [UInt8] {
        hasher.finalize()
    }

    /// The hash of content that is one chunk: what an inline root records, and what the
    /// same bytes stored as a single data chunk would record.
    static func ofSingleChunk(_ content: [UInt8]) -> [UInt8] {
        let hash = ContentHash()
        hash.add(chunkDigest: SHA256.hash(content))
        return hash.finalize()
    }
}
