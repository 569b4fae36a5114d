import Codecs
import Content
import Foundation
import OpenSSLKit
import Testing

/// Small files inlined in their root node (docs/formats.md, "Inline file root").
struct InlineContentTests {
    static let limit = FileEncoder.defaultInlineLimit

    /// The daemon's encoder: default chunk sizes, so the default inline limit applies.
    static func encoder(_ store: InMemoryChunkStore, inlineLimit: Int = limit) throws -> FileEncoder {
        FileEncoder(sink: store, cipher: try ConvergentCipher(convergenceSecret: FileCodecTests.secret), inlineLimit: inlineLimit)
    }

    static func rootNode(_ capability: Capability, in store: InMemoryChunkStore) async throws -> FileManifestNode {
        let plaintext = try ConvergentCipher.open(try await store.fetch(id: capability.root.id), reference: capability.root)
        return try FileManifestNode(decoding: plaintext)
    }

    @Test(arguments: [0, 1, 100, 4096, limit - 4096, limit - 1, limit, limit + 1, limit + 4096, 200_000])
    func roundTripsAroundTheLimit(size: Int) async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: size, seed: UInt64(size) * 31 + 7)
        let encoded = try await Self.encoder(store).encode(bytes)
        #expect(encoded.size == UInt64(size))
        // Inlining does not change the content hash: content this short is one chunk either way.
        #expect(encoded.contentHash == FileCodecTests.expectedContentHash(bytes, averageSize: FileEncoder.defaultAverageSize))
        let decoder = FileDecoder(source: store)
        #expect(try await decoder.read(encoded.capability) == bytes)
        let root = try await Self.rootNode(encoded.capability, in: store)
        let ids = try await decoder.chunkIDs(of: encoded.capability)
        if (1...Self.limit).contains(size) {
            #expect(root.inlineContent == bytes && root.entries.isEmpty && root.level == 0)
            #expect(await store.count == 1 && ids == [encoded.capability.root.id] && encoded.chunkCount == 0)
        } else {
            // Empty content keeps its zero-entry root; above the limit, the data chunks and a root.
            #expect(root.inlineContent == nil && root.nodeType == 1)
            #expect(root.entries.count == encoded.chunkCount && encoded.chunkCount == (size == 0 ? 0 : 1))
            #expect(await store.count == encoded.chunkCount + 1 && ids.count == encoded.chunkCount + 1)
        }
    }

    @Test func aFourKiBFileIsOneChunk() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 4096, seed: 4096)
        let encoded = try await Self.encoder(store).encode(bytes)
        #expect(await store.count == 1)
        #expect(await store.byteCount < 4096 + 100, "the root holds the content plus 48 bytes of header and a 16-byte tag")
        // With inlining off, the same file is a data chunk and a root, as before.
        let old = InMemoryChunkStore()
        let uninlined = try await Self.encoder(old, inlineLimit: 0).encode(bytes)
        #expect(await old.count == 2)
        #expect(uninlined.contentHash == encoded.contentHash && uninlined.capability != encoded.capability)
    }

    @Test func theLimitNeverExceedsTheChunkersMinimum() throws {
        let small = try FileEncoder(sink: InMemoryChunkStore(), cipher: ConvergentCipher(convergenceSecret: FileCodecTests.secret),
                                    parameters: FastCDC(averageSize: 8192))
        #expect(small.inlineLimit == 2048)
        #expect(try Self.encoder(InMemoryChunkStore()).inlineLimit == 64 * 1024)
    }

    @Test func streamedInputIsInlinedOrChunkedByItsTotalSize() async throws {
        let bytes = TestData.randomBytes(count: Self.limit + 10, seed: 3)
        let stored = InMemoryChunkStore()
        let whole = try await Self.encoder(stored).encode(bytes)
        // Blocks that stay under the limit together, then one that crosses it.
        let blocks = [Array(bytes[0..<1000]), Array(bytes[1000..<Self.limit]), Array(bytes[Self.limit...])]
        let streamed = try await Self.encoder(stored).encode(AsyncBlocks(blocks: blocks))
        #expect(streamed.capability == whole.capability && streamed.chunkCount == 1)
        let small = try await Self.encoder(stored).encode(AsyncBlocks(blocks: [[1, 2], [], [3]]))
        #expect(small.capability == (try await Self.encoder(stored).encode([1, 2, 3])).capability)
        #expect(small.chunkCount == 0)
    }

    @Test func rangeReadsOfAnInlinedFile() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 10_000, seed: 10)
        let encoded = try await Self.encoder(store).encode(bytes)
        let decoder = FileDecoder(source: store)
        for range in [0..<0, 0..<1, 17..<4000, 9999..<10_000, 0..<10_000, 10_000..<10_000] {
            let slice = try await decoder.read(encoded.capability, range: UInt64(range.lowerBound)..<UInt64(range.upperBound))
            #expect(slice == Array(bytes[range]), "range \(range)")
        }
        await #expect(throws: ContentError.rangeOutOfBounds(lower: 5, upper: 10_001, size: 10_000)) {
            _ = try await decoder.read(encoded.capability, range: 5..<10_001)
        }
        let info = try await decoder.info(encoded.capability)
        #expect(info.size == 10_000 && info.kind == .file && info.contentHash == encoded.contentHash)
    }

    @Test func smallDirectoryListingsAreInlined() async throws {
        let store = InMemoryChunkStore()
        let file = try await Self.encoder(store).encode(Array("hello".utf8))
        let entries = (0..<100).map { index in
            DirectoryEntry(name: "file-\(1000 + index).txt", kind: .file(file.capability.root), mode: 0o644,
                           modificationTimeNanoseconds: Int64(index), size: 5)
        }
        let listing = try DirectoryListing(entries: entries)
        let directory = try await Self.encoder(store).encode(listing)
        #expect(await store.count == 2, "one chunk for the file, one for the listing")
        #expect(try await Self.rootNode(directory.capability, in: store).inlineContent == listing.encoded())
        let decoder = FileDecoder(source: store)
        #expect(try await decoder.readDirectory(directory.capability) == listing)
        await #expect(throws: ContentError.wrongContentKind(expected: .directory, actual: .file)) {
            _ = try await decoder.readDirectory(file.capability)
        }
    }

    // MARK: hostile inline roots

    static let content = Array("small file".utf8)
    static let inlineRoot = FileManifestNode(
        root: .init(kind: .file, contentHash: [UInt8](repeating: 9, count: 32)), inlineContent: content)
    /// Offsets in an inline root: magic 4, version 1, type 1, level 1, kind 1, content hash 32, then size 8.
    static let levelOffset = 6
    static let sizeOffset = 40

    @Test func inlineRootRoundTripsAndRefusesEveryTruncation() throws {
        let bytes = Self.inlineRoot.encoded()
        #expect(Array(bytes.prefix(6)) == [0x70, 0x32, 0x70, 0x4D, 2, 4])
        #expect(bytes.count == 48 + Self.content.count)
        let decoded = try FileManifestNode(decoding: bytes)
        #expect(decoded == Self.inlineRoot && decoded.totalSize == UInt64(Self.content.count) && decoded.nodeType == 4)
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { try FileManifestNode(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test func inlineRootClaimingOtherBytesThanItHoldsIsRefused() {
        let count = Self.content.count
        var bytes = Self.inlineRoot.encoded()
        // A length beyond the node, and one short of the bytes it holds.
        bytes.replaceSubrange(Self.sizeOffset..<Self.sizeOffset + 8, with: be(UInt64(count + 1)))
        #expect(throws: ManifestError.inlineSizeMismatch(claimed: UInt64(count + 1), actual: count)) { try FileManifestNode(decoding: bytes) }
        bytes.replaceSubrange(Self.sizeOffset..<Self.sizeOffset + 8, with: be(UInt64(count - 1)))
        #expect(throws: ManifestError.inlineSizeMismatch(claimed: UInt64(count - 1), actual: count)) { try FileManifestNode(decoding: bytes) }
        #expect(throws: ManifestError.inlineSizeMismatch(claimed: UInt64(count), actual: count + 1)) {
            try FileManifestNode(decoding: Self.inlineRoot.encoded() + [0])
        }
        // Lengths no inline root may have: none, more than the limit, more than memory.
        for claimed in [0, UInt64(FileManifestNode.maxInlineLength) + 1, .max] {
            bytes.replaceSubrange(Self.sizeOffset..<Self.sizeOffset + 8, with: be(claimed))
            #expect(throws: ManifestError.invalidInlineLength(claimed, limit: FileManifestNode.maxInlineLength)) {
                try FileManifestNode(decoding: bytes)
            }
        }
        let empty = FileManifestNode(root: .init(kind: .file, contentHash: [UInt8](repeating: 0, count: 32)), inlineContent: [])
        #expect(throws: ManifestError.invalidInlineLength(0, limit: FileManifestNode.maxInlineLength)) {
            try FileManifestNode(decoding: empty.encoded())
        }
    }

    @Test func inlineContentAboveALeafIsRefused() {
        var bytes = Self.inlineRoot.encoded()
        bytes[Self.levelOffset] = 1
        #expect(throws: ManifestError.inlineContentAboveLeaf(level: 1)) { try FileManifestNode(decoding: bytes) }
        bytes[Self.levelOffset] = 200
        #expect(throws: ManifestError.tooDeep(level: 200, limit: FileManifestNode.maxLevel)) { try FileManifestNode(decoding: bytes) }
    }

    @Test func inlineRootBelowTheTopIsRefused() async throws {
        let child = ManifestTests.reference(2)
        let nodes: [ChunkID: FileManifestNode] = [child.id: Self.inlineRoot]
        let root = FileManifestNode(root: .init(kind: .file, contentHash: []), level: 1,
                                    entries: [ManifestEntry(reference: child, length: UInt64(Self.content.count))])
        await #expect(throws: ContentError.manifest(.unexpectedNodeType(expected: 2, actual: 4))) {
            try await ManifestTreeWalker().walk(root: root, rootID: ManifestTests.reference(1).id, load: { nodes[$0.id]! }) { _, _ in }
        }
        // The same through the decoder, from a stored tree.
        let store = InMemoryChunkStore()
        let cipher = try ConvergentCipher(convergenceSecret: FileCodecTests.secret)
        let inline = cipher.seal(Self.inlineRoot.encoded())
        await store.store(id: inline.reference.id, bytes: inline.ciphertext)
        let top = cipher.seal(FileManifestNode(root: .init(kind: .file, contentHash: [UInt8](repeating: 0, count: 32)), level: 1,
                                               entries: [ManifestEntry(reference: inline.reference, length: UInt64(Self.content.count))]).encoded())
        await store.store(id: top.reference.id, bytes: top.ciphertext)
        await #expect(throws: ContentError.manifest(.unexpectedNodeType(expected: 2, actual: 4))) {
            _ = try await FileDecoder(source: store).read(Capability(root: top.reference))
        }
    }

    @Test func inlineContentThatDoesNotMatchItsHashIsRefusedOnEveryRead() async throws {
        let store = InMemoryChunkStore()
        let encoded = try await Self.encoder(store).encode(Array("the real content".utf8))
        var root = try await Self.rootNode(encoded.capability, in: store)
        root.inlineContent![0] ^= 1
        let sealed = try ConvergentCipher(convergenceSecret: FileCodecTests.secret).seal(root.encoded())
        await store.store(id: sealed.reference.id, bytes: sealed.ciphertext)
        let forged = Capability(root: sealed.reference)
        let decoder = FileDecoder(source: store)
        await #expect(throws: ContentError.self) { _ = try await decoder.read(forged) }
        await #expect(throws: ContentError.self) { _ = try await decoder.read(forged, range: 1..<3) }
    }

    // MARK: today's layout still reads

    /// A file stored by the encoder before inline roots existed (commit 5e7ab59): a data
    /// chunk and a type 0x01 root, in fixtures/manifest/.
    struct Fixture: Decodable {
        var convergence_secret: String
        var content: String
        var capability: String
        var chunks: [String: String]
    }

    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/manifest")

    @Test(arguments: ["v2-small-file.json", "v2-small-directory.json"])
    func contentStoredBeforeInliningStillDecodes(name: String) async throws {
        let data = try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent(name))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let store = InMemoryChunkStore()
        for (id, ciphertext) in fixture.chunks {
            let bytes = try #require(Hex.decode(ciphertext))
            #expect(ChunkID(hashing: bytes).description == id)
            await store.store(id: ChunkID(hashing: bytes), bytes: bytes)
        }
        let capability = try Capability(parsing: fixture.capability)
        let content = try #require(Hex.decode(fixture.content))
        let decoder = FileDecoder(source: store)
        #expect(try await decoder.read(capability) == content)
        #expect(try await decoder.chunkIDs(of: capability).count == fixture.chunks.count)
        #expect(try await Self.rootNode(capability, in: store).inlineContent == nil)
        // With inlining off, today's encoder still writes exactly that layout; with it on, one chunk.
        let secret = try #require(Hex.decode(fixture.convergence_secret))
        let kind = try await decoder.info(capability).kind
        let again = InMemoryChunkStore()
        let cipher = try ConvergentCipher(convergenceSecret: secret)
        let old = try await FileEncoder(sink: again, cipher: cipher, inlineLimit: 0).encode(content, kind: kind)
        let rewritten = await again.ids
        let stored = await store.ids
        #expect(old.capability == capability && rewritten == stored)
        let inline = InMemoryChunkStore()
        _ = try await FileEncoder(sink: inline, cipher: cipher).encode(content, kind: kind)
        #expect(await inline.count == 1)
    }
}

/// Byte blocks as an asynchronous sequence, like a request body.
struct AsyncBlocks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let blocks: [[UInt8]]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>
        mutating func next() async -> [UInt8]? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: blocks[...]) }
}
