import Codecs
import OpenSSLKit

/// What a root manifest says about its content.
public struct FileInfo: Sendable, Hashable {
    public var kind: ContentKind
    public var size: UInt64
    /// The content hash (`ContentHash`, docs/formats.md).
    public var contentHash: [UInt8]
}

/// Reads content back: capability → manifest tree → chunks, verifying every chunk's id
/// (SHA-256 of its ciphertext), its GCM tag and length, and, when the whole content is
/// read, the root's content hash at the end (over the SHA-256 of every chunk's plaintext).
/// A small file inlined in its root is the root chunk alone; its content hash is checked
/// on every read.
///
/// Bytes reach the callback in order as soon as they are verified chunk by chunk; the
/// whole-content hash can only fail after the last byte, so a caller that must not keep
/// a partial result writes to a temporary file and renames it after success.
public struct FileDecoder: Sendable {
    public let source: any ChunkSource
    public let maxChunksInFlight: Int
    /// Decoded manifest nodes shared between reads (nil: each read decodes its own).
    public var nodeCache: ManifestNodeCache?

    public init(source: any ChunkSource, maxChunksInFlight: Int = 8) {
        precondition(maxChunksInFlight >= 1)
        self.source = source
        self.maxChunksInFlight = maxChunksInFlight
    }

    /// Loads the root manifest and reports what it describes.
    public func info(_ capability: Capability) async throws -> FileInfo {
        try await Self.info(of: loadNode(capability.root, expectRoot: true))
    }

    /// Streams the content (or `range` of it) to `body` in order; returns the root's description.
    @discardableResult
    public func decode(
        _ capability: Capability, range: Range<UInt64>? = nil, kind: ContentKind? = nil,
        to body: (ArraySlice<UInt8>) async throws -> Void
    ) async throws -> FileInfo {
        let root = try await loadNode(capability.root, expectRoot: true)
        let info = Self.info(of: root)
        if let kind, kind != info.kind { throw ContentError.wrongContentKind(expected: kind, actual: info.kind) }
        if let range, range.upperBound > info.size {
            throw ContentError.rangeOutOfBounds(lower: range.lowerBound, upper: range.upperBound, size: info.size)
        }
        let wanted = range ?? 0..<info.size
        if let content = root.inlineContent {
            try Self.verifyInline(content, info: info)
            if !wanted.isEmpty { try await body(content[Int(wanted.lowerBound)..<Int(wanted.upperBound)]) }
            return info
        }
        let contentHash: ContentHash? = wanted == 0..<info.size ? ContentHash() : nil
        if wanted.isEmpty && contentHash == nil { return info }
        try await ManifestTreeWalker().walk(
            root: root, rootID: capability.root.id, range: wanted, load: { try await loadNode($0, expectRoot: false) }
        ) { node, offset in
            try await readLeaf(node, offset: offset, range: wanted, contentHash: contentHash, body: body)
        }
        if let contentHash {
            let actual = contentHash.finalize()
            guard actual == info.contentHash else {
                throw ContentError.fileHashMismatch(expected: Hex.encode(info.contentHash), actual: Hex.encode(actual))
            }
        }
        return info
    }

    /// The whole content (or a range) in memory.
    public func read(_ capability: Capability, range: Range<UInt64>? = nil) async throws -> [UInt8] {
        var output: [UInt8] = []
        try await decode(capability, range: range) { output.append(contentsOf: $0) }
        return output
    }

    /// A stored directory listing.
    public func readDirectory(_ capability: Capability) async throws -> DirectoryListing {
        var bytes: [UInt8] = []
        let limit = UInt64(DirectoryListing.maxEntries) * 600
        let info = try await info(capability)
        guard info.size <= limit else {
            throw ContentError.manifest(.lengthOverLimit(length: Int(clamping: info.size), limit: Int(limit)))
        }
        try await decode(capability, kind: .directory) { bytes.append(contentsOf: $0) }
        do {
            return try DirectoryListing(decoding: bytes)
        } catch {
            throw ContentError.manifest(error)
        }
    }

    /// Fetches the level-0 node's chunks that overlap `range`, a window at a time, and
    /// hands the overlapping bytes to `body` in order. With `contentHash` (a whole-content
    /// read), each chunk's plaintext digest is computed in its fetch task and added in order.
    private func readLeaf(
        _ node: FileManifestNode, offset: UInt64, range: Range<UInt64>, contentHash: ContentHash?,
        body: (ArraySlice<UInt8>) async throws -> Void
    ) async throws {
        var wanted: [(entry: ManifestEntry, offset: UInt64)] = []
        var position = offset
        for entry in node.entries {
            if position < range.upperBound && range.lowerBound < position + entry.length {
                wanted.append((entry, position))
            }
            position += entry.length
        }
        var inFlight: [Task<(plaintext: [UInt8], digest: [UInt8]?), any Error>] = []
        let hashing = contentHash != nil
        defer { for task in inFlight { task.cancel() } }
        var next = 0
        for index in wanted.indices {
            while next < wanted.count && next < index + maxChunksInFlight {
                let entry = wanted[next].entry
                let source = source
                inFlight.append(Task {
                    let plaintext = try await Self.fetchChunk(entry, from: source)
                    return (plaintext, hashing ? SHA256.hash(plaintext) : nil)
                })
                next += 1
            }
            let (plaintext, digest) = try await inFlight.removeFirst().value
            if let digest { contentHash?.add(chunkDigest: digest) }
            let start = wanted[index].offset
            let lower = Int(max(range.lowerBound, start) - start)
            let upper = Int(min(range.upperBound, start + UInt64(plaintext.count)) - start)
            try await body(plaintext[lower..<upper])
        }
    }

    /// Checks an inline root's content against its content hash: the whole content is at
    /// hand, so this is done for range reads too.
    private static func verifyInline(_ content: [UInt8], info: FileInfo) throws {
        let actual = ContentHash.ofSingleChunk(content)
        guard actual == info.contentHash else {
            throw ContentError.fileHashMismatch(expected: Hex.encode(info.contentHash), actual: Hex.encode(actual))
        }
    }

    private static func fetchChunk(_ entry: ManifestEntry, from source: any ChunkSource) async throws -> [UInt8] {
        let ciphertext = try await source.fetch(id: entry.reference.id)
        let plaintext = try ConvergentCipher.open(ciphertext, reference: entry.reference)
        guard UInt64(plaintext.count) == entry.length else {
            throw ContentError.chunkLengthMismatch(entry.reference.id, expected: entry.length, actual: plaintext.count)
        }
        return plaintext
    }

    func loadNode(_ reference: ChunkReference, expectRoot: Bool) async throws -> FileManifestNode {
        if let cached = nodeCache?.node(reference) {
            if expectRoot && cached.root == nil {
                throw ContentError.manifest(.unexpectedNodeType(expected: FileManifestNode.rootType, actual: cached.nodeType))
            }
            return cached
        }
        let ciphertext = try await source.fetch(id: reference.id)
        let plaintext = try ConvergentCipher.open(ciphertext, reference: reference)
        let node: FileManifestNode
        do {
            node = try FileManifestNode(decoding: plaintext)
        } catch {
            throw ContentError.manifest(error)
        }
        if expectRoot && node.root == nil {
            throw ContentError.manifest(.unexpectedNodeType(expected: FileManifestNode.rootType, actual: node.nodeType))
        }
        nodeCache?.insert(node, for: reference)
        return node
    }

    private static func info(of root: FileManifestNode) -> FileInfo {
        FileInfo(kind: root.root?.kind ?? .file, size: root.totalSize, contentHash: root.root?.contentHash ?? [])
    }
}
