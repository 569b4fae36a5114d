import Content
import OpenSSLKit
import Testing

struct FileCodecTests {
    static let secret = [UInt8](repeating: 0x5A, count: 32)

    static func encoder(_ store: InMemoryChunkStore, averageSize: Int = 64 * 1024, fanout: Int = FileManifestNode.maxEntries) throws -> FileEncoder {
        FileEncoder(sink: store, cipher: try ConvergentCipher(convergenceSecret: secret),
                    parameters: try FastCDC(averageSize: averageSize), manifestFanout: fanout)
    }

    @Test(arguments: [0, 1, 4095, 16 * 1024, 300_000, 5 * 1024 * 1024 + 3, 64 * 1024 * 1024])
    func roundTrips(size: Int) async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: size, seed: UInt64(size) + 1)
        let encoded = try await Self.encoder(store).encode(bytes)
        #expect(encoded.size == UInt64(size))
        #expect(encoded.contentHash == Self.expectedContentHash(bytes, averageSize: 64 * 1024))
        let capability = try Capability(parsing: encoded.capability.description)
        let decoded = try await FileDecoder(source: store).read(capability)
        #expect(decoded == bytes)
    }

    @Test func deepTreesRoundTripAndServeRanges() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 3 * 1024 * 1024, seed: 99)
        let encoded = try await Self.encoder(store, averageSize: 4096, fanout: 3).encode(bytes)
        #expect(encoded.chunkCount > 100)
        let decoder = FileDecoder(source: store)
        #expect(try await decoder.read(encoded.capability) == bytes)
        for range in [0..<0, 0..<1, 5000..<70_000, 1_000_000..<3 * 1024 * 1024, 3 * 1024 * 1024 - 1..<3 * 1024 * 1024] {
            let slice = try await decoder.read(encoded.capability, range: UInt64(range.lowerBound)..<UInt64(range.upperBound))
            #expect(slice == Array(bytes[range]), "range \(range)")
        }
        await #expect(throws: ContentError.rangeOutOfBounds(lower: 0, upper: 3 * 1024 * 1024 + 1, size: 3 * 1024 * 1024)) {
            _ = try await decoder.read(encoded.capability, range: 0..<(3 * 1024 * 1024 + 1))
        }
    }

    @Test func storingTwiceAddsNoChunk() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 2 * 1024 * 1024, seed: 5)
        let first = try await Self.encoder(store).encode(bytes)
        let count = await store.count
        let second = try await Self.encoder(store).encode(bytes)
        #expect(await store.count == count)
        #expect(first.capability == second.capability)
    }

    @Test func oneByteInsertionAddsFewChunks() async throws {
        let store = InMemoryChunkStore()
        var bytes = TestData.randomBytes(count: 64 * 1024 * 1024, seed: 11)
        _ = try await Self.encoder(store, averageSize: 256 * 1024).encode(bytes)
        let before = await store.ids
        bytes.insert(0xAB, at: bytes.count / 2)
        let edited = try await Self.encoder(store, averageSize: 256 * 1024).encode(bytes)
        let added = await store.ids.subtracting(before).count
        // New data chunks plus the one new manifest node (the file fits in one node).
        #expect(added - 1 <= 3, "added \(added) chunks")
        #expect(try await FileDecoder(source: store).read(edited.capability) == bytes)
    }

    @Test func corruptChunkIsRejected() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 200_000, seed: 3)
        let encoded = try await Self.encoder(store).encode(bytes)
        let victim = try #require(await store.ids.first { $0 != encoded.capability.root.id })
        var stored = try await store.fetch(id: victim)
        stored[stored.count / 2] ^= 1
        await store.overwrite(id: victim, with: stored)
        await #expect(throws: ContentError.chunkHashMismatch(expected: victim, actual: ChunkID(hashing: stored))) {
            _ = try await FileDecoder(source: store).read(encoded.capability)
        }
        await store.remove(id: victim)
        await #expect(throws: ContentError.chunkNotFound(victim)) {
            _ = try await FileDecoder(source: store).read(encoded.capability)
        }
    }

    @Test func convergentEncryptionIsDeterministicPerSecret() throws {
        let plaintext = Array("same bytes".utf8)
        let one = try ConvergentCipher(convergenceSecret: Self.secret).seal(plaintext)
        let again = try ConvergentCipher(convergenceSecret: Self.secret).seal(plaintext)
        let other = try ConvergentCipher(convergenceSecret: [UInt8](repeating: 1, count: 32)).seal(plaintext)
        #expect(one.reference == again.reference && one.ciphertext == again.ciphertext)
        #expect(one.reference.id != other.reference.id)
        #expect(one.reference.id == ChunkID(hashing: one.ciphertext))
        #expect(try ConvergentCipher.open(one.ciphertext, reference: one.reference) == plaintext)
        let wrongKey = ChunkReference(id: one.reference.id, key: other.reference.key)
        #expect(throws: ContentError.decryptionFailed(one.reference.id)) { try ConvergentCipher.open(one.ciphertext, reference: wrongKey) }
        #expect(throws: ContentError.weakConvergenceSecret(length: 3)) { try ConvergentCipher(convergenceSecret: [1, 2, 3]) }
    }

    @Test func directoryListingsAreStoredAsContent() async throws {
        let store = InMemoryChunkStore()
        let file = try await Self.encoder(store).encode(Array("hello".utf8))
        let listing = try DirectoryListing(entries: [
            DirectoryEntry(name: "hello.txt", kind: .file(file.capability.root), mode: 0o644, modificationTimeNanoseconds: 1, size: 5),
        ])
        let directory = try await Self.encoder(store).encode(listing)
        let decoder = FileDecoder(source: store)
        #expect(try await decoder.readDirectory(directory.capability) == listing)
        #expect(try await decoder.info(directory.capability).kind == .directory)
        await #expect(throws: ContentError.wrongContentKind(expected: .directory, actual: .file)) {
            _ = try await decoder.readDirectory(file.capability)
        }
    }

    @Test func treeWalkerDetectsCycles() async throws {
        let a = ManifestTests.reference(1)
        let b = ManifestTests.reference(2)
        let data = ManifestTests.reference(3)
        // a (level 2) → b (level 1) → a: impossible with real hashes, possible from a hostile source.
        let nodes: [ChunkID: FileManifestNode] = [
            a.id: FileManifestNode(root: nil, level: 1, entries: [ManifestEntry(reference: b, length: 10)]),
            b.id: FileManifestNode(root: nil, level: 1, entries: [ManifestEntry(reference: a, length: 10)]),
        ]
        let root = FileManifestNode(root: .init(kind: .file, contentHash: []), level: 2, entries: [ManifestEntry(reference: a, length: 10)])
        await #expect(throws: ContentError.manifest(.cycle(a.id))) {
            try await ManifestTreeWalker().walk(root: root, rootID: a.id, load: { nodes[$0.id]! }) { _, _ in }
        }
        // Without the cycle, the level rule still refuses b at the same level as a.
        let root2 = FileManifestNode(root: .init(kind: .file, contentHash: []), level: 2, entries: [ManifestEntry(reference: b, length: 10)])
        let nodes2: [ChunkID: FileManifestNode] = [
            b.id: FileManifestNode(root: nil, level: 2, entries: [ManifestEntry(reference: data, length: 10)]),
        ]
        await #expect(throws: ContentError.manifest(.levelMismatch(expected: 1, actual: 2))) {
            try await ManifestTreeWalker().walk(root: root2, rootID: ManifestTests.reference(9).id, load: { nodes2[$0.id]! }) { _, _ in }
        }
        // A child covering other bytes than its parent's entry claims.
        let nodes3: [ChunkID: FileManifestNode] = [
            b.id: FileManifestNode(root: nil, level: 1, entries: [ManifestEntry(reference: data, length: 11)]),
        ]
        await #expect(throws: ContentError.manifest(.sizeMismatch(claimed: 10, actual: 11))) {
            try await ManifestTreeWalker().walk(root: root2, rootID: ManifestTests.reference(9).id, load: { nodes3[$0.id]! }) { _, _ in }
        }
    }

    @Test func truncatedStoredManifestIsATypedError() async throws {
        let store = InMemoryChunkStore()
        let cipher = try ConvergentCipher(convergenceSecret: Self.secret)
        let truncated = Array(ManifestTests.root.encoded().dropLast(10))
        let sealed = cipher.seal(truncated)
        await store.store(id: sealed.reference.id, bytes: sealed.ciphertext)
        await #expect(throws: ContentError.manifest(.truncated(offset: 52, needed: 144))) {
            _ = try await FileDecoder(source: store).read(Capability(root: sealed.reference))
        }
    }

    /// The content hash by its definition in docs/formats.md, computed independently.
    static func expectedContentHash(_ bytes: [UInt8], averageSize: Int) -> [UInt8] {
        var chunker = Chunker(parameters: try! FastCDC(averageSize: averageSize))
        var input = Array("p2pstore/content-hash/v2".utf8)
        bytes.withUnsafeBytes { chunker.append($0) { _, chunk in input += SHA256.hash(chunk) } }
        chunker.finish { _, chunk in input += SHA256.hash(chunk) }
        return SHA256.hash(input)
    }

    @Test func wrongContentHashInRootIsDetectedAfterAFullRead() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 300_000, seed: 5)
        let encoded = try await Self.encoder(store).encode(bytes)
        let decoder = FileDecoder(source: store)
        let rootBytes = try ConvergentCipher.open(try await store.fetch(id: encoded.capability.root.id), reference: encoded.capability.root)
        var root = try FileManifestNode(decoding: rootBytes)
        root.root!.contentHash[0] ^= 1
        let sealed = try ConvergentCipher(convergenceSecret: Self.secret).seal(root.encoded())
        await store.store(id: sealed.reference.id, bytes: sealed.ciphertext)
        let forged = Capability(root: sealed.reference)
        // A range read does not cover every chunk, so it cannot check the content hash.
        #expect(try await decoder.read(forged, range: 0..<10) == Array(bytes[0..<10]))
        await #expect(throws: ContentError.self) { _ = try await decoder.read(forged) }
    }
}

struct FileBlocksTests {
    /// Files around the block size read back whole; a small file's block is its size
    /// (a first scan reads thousands of small files at once, each once took a 1 MiB block).
    @Test func readsFilesAroundTheBlockSizeWithBlocksTheirSize() async throws {
        let path = "/tmp/p2pstore-blocks-test-\(UInt64.random(in: 0...UInt64.max)).bin"
        defer { FileManagerShim.remove(path) }
        for size in [0, 1, 64, 15, 16, 17, 33] {
            let bytes = TestData.randomBytes(count: size, seed: UInt64(size))
            #expect(FileManagerShim.write(bytes, to: path))
            var read: [UInt8] = [], blocks = 0
            for try await block in FileBlocks(path: path, blockSize: 16) {
                read += block
                blocks += 1
            }
            #expect(read == bytes, "size \(size)")
            #expect(blocks == (size + 15) / 16, "size \(size)")
        }
        let small = TestData.randomBytes(count: 64, seed: 3)
        #expect(FileManagerShim.write(small, to: path))
        var iterator = FileBlocks(path: path).makeAsyncIterator()
        let block = try #require(try await iterator.next())
        #expect(block == small)
        #expect(block.capacity < 4096)
        #expect(try await iterator.next() == nil)
    }

    @Test func encodesAFileFromDisk() async throws {
        let path = "/tmp/p2pstore-content-test-\(UInt64.random(in: 0...UInt64.max)).bin"
        let bytes = TestData.randomBytes(count: 3 * 1024 * 1024 + 17, seed: 21)
        #expect(FileManagerShim.write(bytes, to: path))
        defer { FileManagerShim.remove(path) }
        let store = InMemoryChunkStore()
        let encoded = try await FileCodecTests.encoder(store).encode(contentsOfFile: path)
        #expect(encoded.size == UInt64(bytes.count))
        #expect(try await FileDecoder(source: store).read(encoded.capability) == bytes)
        await #expect(throws: FileReadError.self) {
            _ = try await FileCodecTests.encoder(store).encode(contentsOfFile: path + ".missing")
        }
    }
}
