import Codecs
import Content
import Testing

struct ManifestTests {
    static func reference(_ seed: UInt8) -> ChunkReference {
        ChunkReference(id: ChunkID(bytes: [UInt8](repeating: seed, count: 32))!,
                       key: ChunkKey(bytes: [UInt8](repeating: seed &+ 1, count: 32))!)
    }

    static let root = FileManifestNode(
        root: .init(kind: .file, contentHash: [UInt8](repeating: 9, count: 32)), level: 0,
        entries: [ManifestEntry(reference: reference(1), length: 100), ManifestEntry(reference: reference(2), length: 23)])

    @Test func roundTrips() throws {
        let bytes = Self.root.encoded()
        #expect(Array(bytes.prefix(5)) == [0x70, 0x32, 0x70, 0x4D, 2])
        let decoded = try FileManifestNode(decoding: bytes)
        #expect(decoded == Self.root)
        #expect(decoded.totalSize == 123)
        let interior = FileManifestNode(root: nil, level: 2, entries: [ManifestEntry(reference: Self.reference(3), length: 1 << 40)])
        #expect(try FileManifestNode(decoding: interior.encoded()) == interior)
    }

    @Test func rejectsEveryTruncation() {
        let bytes = Self.root.encoded()
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { try FileManifestNode(decoding: Array(bytes.prefix(length))) }
        }
        #expect(throws: ManifestError.truncated(offset: 0, needed: 4)) { try FileManifestNode(decoding: []) }
    }

    @Test func rejectsBadHeader() {
        var bytes = Self.root.encoded()
        bytes[0] = 0x71
        #expect(throws: ManifestError.badMagic) { try FileManifestNode(decoding: bytes) }
        bytes = Self.root.encoded()
        bytes[4] = 1
        #expect(throws: ManifestError.unsupportedVersion(1)) { try FileManifestNode(decoding: bytes) }
        bytes[4] = 3
        #expect(throws: ManifestError.unsupportedVersion(3)) { try FileManifestNode(decoding: bytes) }
        bytes = Self.root.encoded()
        bytes[5] = 9
        #expect(throws: ManifestError.unknownNodeType(9)) { try FileManifestNode(decoding: bytes) }
        bytes = Self.root.encoded()
        bytes[6] = 200
        #expect(throws: ManifestError.tooDeep(level: 200, limit: FileManifestNode.maxLevel)) { try FileManifestNode(decoding: bytes) }
    }

    /// Offsets in a root node: magic 4, version 1, type 1, level 1, kind 1, content hash 32, size 8, count 4.
    static let sizeOffset = 40
    static let countOffset = 48

    @Test func rejectsClaimedSizeThatDoesNotMatchEntries() {
        var bytes = Self.root.encoded()
        bytes.replaceSubrange(Self.sizeOffset..<Self.sizeOffset + 8, with: be(UInt64.max))
        #expect(throws: ManifestError.sizeMismatch(claimed: .max, actual: 123)) { try FileManifestNode(decoding: bytes) }
    }

    @Test func rejectsHugeCountBeforeAllocating() {
        var bytes = Self.root.encoded()
        bytes.replaceSubrange(Self.countOffset..<Self.countOffset + 4, with: be(UInt32.max))
        #expect(throws: ManifestError.tooManyEntries(count: UInt64(UInt32.max), limit: FileManifestNode.maxEntries)) {
            try FileManifestNode(decoding: bytes)
        }
        bytes.replaceSubrange(Self.countOffset..<Self.countOffset + 4, with: be(UInt32(10_000)))
        #expect(throws: ManifestError.truncated(offset: 52, needed: 720_000)) { try FileManifestNode(decoding: bytes) }
    }

    @Test func rejectsTrailingBytesAndBadLengths() {
        #expect(throws: ManifestError.trailingBytes(count: 1)) { try FileManifestNode(decoding: Self.root.encoded() + [0]) }
        let zero = FileManifestNode(root: nil, level: 0, entries: [ManifestEntry(reference: Self.reference(1), length: 0)])
        #expect(throws: ManifestError.invalidEntryLength(index: 0, length: 0)) { try FileManifestNode(decoding: zero.encoded()) }
        let huge = FileManifestNode(root: nil, level: 0, entries: [ManifestEntry(reference: Self.reference(1), length: 1 << 40)])
        #expect(throws: ManifestError.invalidEntryLength(index: 0, length: 1 << 40)) { try FileManifestNode(decoding: huge.encoded()) }
        let empty = FileManifestNode(root: nil, level: 1, entries: [])
        #expect(throws: ManifestError.emptyNode) { try FileManifestNode(decoding: empty.encoded()) }
    }

    @Test func directoryListingRoundTrips() throws {
        let listing = try DirectoryListing(entries: [
            DirectoryEntry(name: "zeta.txt", kind: .file(Self.reference(4)), mode: 0o644, modificationTimeNanoseconds: 1_700_000_000_123_456_789, size: 12),
            DirectoryEntry(name: "link", kind: .symlink(target: "../elsewhere"), mode: 0o777, modificationTimeNanoseconds: -5, size: 12),
            DirectoryEntry(name: "Ärger", kind: .directory(Self.reference(5)), mode: 0o755, modificationTimeNanoseconds: 0, size: 0),
        ])
        #expect(listing.entries.map(\.name) == ["link", "zeta.txt", "Ärger"])
        let bytes = listing.encoded()
        #expect(try DirectoryListing(decoding: bytes) == listing)
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { try DirectoryListing(decoding: Array(bytes.prefix(length))) }
        }
        #expect(throws: ManifestError.trailingBytes(count: 2)) { try DirectoryListing(decoding: bytes + [1, 2]) }
    }

    @Test func directoryListingRejectsBadNames() {
        for name in ["", ".", "..", "a/b", "nul\u{0}", String(repeating: "x", count: 256)] {
            #expect(throws: ManifestError.invalidName(name)) {
                try DirectoryListing(entries: [DirectoryEntry(name: name, kind: .symlink(target: "t"), mode: 0, modificationTimeNanoseconds: 0, size: 1)])
            }
        }
        let twice = DirectoryEntry(name: "same", kind: .symlink(target: "t"), mode: 0, modificationTimeNanoseconds: 0, size: 1)
        #expect(throws: ManifestError.unsortedNames("same")) { try DirectoryListing(entries: [twice, twice]) }
    }

    @Test func directoryListingRefusesHugeCount() throws {
        var bytes = try DirectoryListing(entries: []).encoded()
        bytes.replaceSubrange(6..<10, with: be(UInt32.max))
        #expect(throws: ManifestError.self) { try DirectoryListing(decoding: bytes) }
        #expect(throws: ManifestError.unexpectedNodeType(expected: 3, actual: 1)) { try DirectoryListing(decoding: Self.root.encoded()) }
    }
}

func be<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(value)
    return writer.bytes
}
