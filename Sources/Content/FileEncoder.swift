import OpenSSLKit

/// The result of storing content.
public struct EncodedFile: Sendable, Hashable {
    /// The capability that reads the content back.
    public var capability: Capability
    /// Plaintext size in bytes.
    public var size: UInt64
    /// The content hash recorded in the root manifest (docs/formats.md): SHA-256 over the
    /// SHA-256 digests of the data chunks' plaintexts, in order.
    public var contentHash: [UInt8]
    /// Data chunks in the file, counting repeats (0 for content inlined in its root).
    public var chunkCount: Int
}

/// Stores content: chunk (FastCDC) → encrypt (convergent) → sink, then the manifest tree;
/// content of at most `inlineLimit` bytes goes inside its root node instead.
///
/// Several chunks are encrypted and stored concurrently, but never more than
/// `maxChunksInFlight`, so memory stays bounded by about
/// `maxChunksInFlight × 2 × maxSize` plus one manifest node per tree level, plus the input
/// buffers that chunks in flight still point into (a chunk inside one buffer is not copied).
public struct FileEncoder: Sendable {
    /// The default average chunk size; see docs/benchmarks.md ("Content").
    public static let defaultAverageSize = 256 * 1024
    /// The default largest file stored inline in its root node; see docs/formats.md
    /// ("Inline file root").
    public static let defaultInlineLimit = 64 * 1024

    public let sink: any ChunkSink
    public let cipher: ConvergentCipher
    public let parameters: FastCDC
    public let maxChunksInFlight: Int
    /// Entries per manifest node; lower it only to exercise deep trees in tests.
    public let manifestFanout: Int
    /// Content of 1 to `inlineLimit` bytes is stored inside its root node: one chunk
    /// instead of a data chunk and a root. Never above the chunker's minimum size, so an
    /// inlined file is exactly one that would otherwise be a single data chunk, and its
    /// content hash is the same either way. 0 turns inlining off.
    public let inlineLimit: Int

    public init(
        sink: any ChunkSink, cipher: ConvergentCipher, parameters: FastCDC? = nil,
        maxChunksInFlight: Int = 8, manifestFanout: Int = FileManifestNode.maxEntries,
        inlineLimit: Int = FileEncoder.defaultInlineLimit
    ) {
        precondition(maxChunksInFlight >= 1 && (2...FileManifestNode.maxEntries).contains(manifestFanout))
        precondition((0...FileManifestNode.maxInlineLength).contains(inlineLimit))
        self.sink = sink
        self.cipher = cipher
        // The default size is a valid parameter set by construction.
        let parameters = parameters ?? (try! FastCDC(averageSize: Self.defaultAverageSize))
        self.parameters = parameters
        self.maxChunksInFlight = maxChunksInFlight
        self.manifestFanout = manifestFanout
        self.inlineLimit = min(inlineLimit, parameters.minSize)
    }

    /// Stores the bytes of an asynchronous sequence of buffers (a request body, a pipe).
    public func encode<Bytes: AsyncSequence>(
        _ bytes: Bytes, kind: ContentKind = .file
    ) async throws -> EncodedFile where Bytes.Element == [UInt8] {
        var session = EncodingSession(encoder: self)
        for try await buffer in bytes {
            try await session.append(buffer)
        }
        return try await session.finish(kind: kind)
    }

    /// Stores bytes held in memory.
    public func encode(_ bytes: [UInt8], kind: ContentKind = .file) async throws -> EncodedFile {
        var session = EncodingSession(encoder: self)
        try await session.append(bytes)
        return try await session.finish(kind: kind)
    }

    /// Stores a file read from disk in blocks.
    public func encode(contentsOfFile path: String) async throws -> EncodedFile {
        try await encode(FileBlocks(path: path))
    }

    /// Stores an encoded directory listing.
    public func encode(_ listing: DirectoryListing) async throws -> EncodedFile {
        try await encode(listing.encoded(), kind: .directory)
    }

    /// Seals a manifest node, stores it, and returns the entry that points to it.
    func storeNode(_ node: FileManifestNode) async throws -> ManifestEntry {
        let sealed = cipher.seal(node.encoded())
        try await sink.store(id: sealed.reference.id, bytes: sealed.ciphertext)
        return ManifestEntry(reference: sealed.reference, length: node.totalSize)
    }
}
