import Codecs
import Content
import FolderKeys
import TestSupport
import Testing
@testable import FolderSync

/// Index trees without sessions: how much one change costs at 100,000 entries, reading
/// back what was built, and the reader's refusals.
struct IndexTreeTests {
    let cipher: ConvergentCipher
    let builder: IndexTreeBuilder
    static let device = Array(repeating: UInt8(7), count: 32)

    init() throws {
        // A fixed secret, so the cuts (and the sizes asserted) are the same every run.
        let secret = Array(repeating: UInt8(0x42), count: 32)
        cipher = try ConvergentCipher(convergenceSecret: secret)
        builder = IndexTreeBuilder(seed: IndexTreeBuilder.seed(convergenceSecret: secret), cipher: cipher)
    }

    /// What a folder of photos and documents looks like: paths of 40–60 bytes, file
    /// entries with a capability and a version of two devices.
    static func entries(_ count: Int, edited: Set<Int> = []) -> [IndexEntry] {
        (0..<count).map { file(number: $0, revision: edited.contains($0) ? 2 : 1) }
            .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    static func file(number: Int, revision: UInt64) -> IndexEntry {
        var capability = Array("file \(number) revision \(revision)".utf8)
        capability += Array(repeating: 0, count: 69 - capability.count)
        return IndexEntry(
            path: "archive/\(2000 + number / 10_000)/album-\(number / 100)/IMG_\(100_000 + number)-edited.jpeg", kind: .file,
            mode: 0o644, modifiedNanoseconds: 1_700_000_000_000_000_000 + Int64(number) * 1_000_000_000 + Int64(revision),
            size: 3_000_000 + UInt64(number), capability: "p2p1:" + Base32.encode(capability),
            version: VersionVector([.init(device: 0x1111, value: UInt64(number) + revision), .init(device: 0x2222, value: 3)]),
            modifiedBy: 0x1111)
    }

    /// Ciphertext bytes of the pages of `after` that `before` does not have.
    func newBytes(_ before: IndexTreeBuilder.Tree, _ after: IndexTreeBuilder.Tree) -> Int {
        let old = Set(before.pages.map(\.reference.id))
        return after.pages.filter { !old.contains($0.reference.id) }.reduce(0) { $0 + $1.ciphertext.count }
    }

    @Test func oneChangeAt100000EntriesIsFarUnder64KiB() throws {
        let entries = Self.entries(100_000)
        let base = builder.build(entries)
        let total = base.pages.reduce(0) { $0 + $1.ciphertext.count }
        #expect(total > 15_000_000, "the whole index is \(total) bytes")
        #expect((3...5).contains(base.height), "height \(base.height)")
        // Edits at the start, the middle and the end, a new file and a removed one.
        var changed: [[IndexEntry]] = []
        for position in [0, 49_999, 99_999] {
            var edited = entries
            edited[position].capability = Self.file(number: 0, revision: 9).capability
            edited[position].version = edited[position].version.incremented(by: 0x3333)
            changed.append(edited)
        }
        var added = entries
        added.insert(Self.file(number: 100_000, revision: 1), at: added.firstIndex { !$0.path.utf8.lexicographicallyPrecedes(Self.file(number: 100_000, revision: 1).path.utf8) } ?? added.endIndex)
        changed.append(added)
        changed.append(entries.enumerated().filter { $0.offset != 31_000 }.map(\.element))
        let worst = changed.map { newBytes(base, builder.build($0)) }.max() ?? 0
        #expect(worst > 0 && worst < 64 * 1024, "a change writes \(worst) bytes of \(total)")
    }

    @Test func aTreeReadsBackAsTheIndexItWasBuiltFrom() async throws {
        for count in [0, 1, 31, 2_000, 20_000] {
            let entries = Self.entries(count)
            let tree = builder.build(entries)
            let network = InMemoryChunkStore()
            for page in tree.pages { await network.store(id: page.reference.id, bytes: page.ciphertext) }
            let result = try await IndexTreeReader(source: network, cipher: cipher).read(root: tree.root, device: Self.device)
            #expect(result.index.entries == entries, "\(count) entries")
            #expect(result.index.device == Self.device)
            #expect(result.fetched.count == Set(tree.pages.map(\.reference.id)).count)

            // A second read from the first one's pages fetches nothing.
            let again = try await IndexTreeReader(source: InMemoryChunkStore(), cipher: cipher, held: result.pages)
                .read(root: tree.root, device: Self.device)
            #expect(again.index.entries == entries && again.fetched.isEmpty)
        }
    }

    @Test func aNewVersionFetchesOnlyItsNewPages() async throws {
        let before = builder.build(Self.entries(20_000))
        let after = builder.build(Self.entries(20_000, edited: [3, 9_000, 19_999]))
        let network = InMemoryChunkStore()
        for page in before.pages + after.pages { await network.store(id: page.reference.id, bytes: page.ciphertext) }
        let first = try await IndexTreeReader(source: network, cipher: cipher).read(root: before.root, device: Self.device)
        let second = try await IndexTreeReader(source: network, cipher: cipher, held: first.pages).read(root: after.root, device: Self.device)
        let new = Set(after.pages.map(\.reference.id)).subtracting(before.pages.map(\.reference.id))
        #expect(Set(second.fetched.map(\.id)) == new)
        #expect(second.index.entries == Self.entries(20_000, edited: [3, 9_000, 19_999]))
    }

    @Test func damagedCachedPagesAreFetchedAgain() async throws {
        let entries = Self.entries(3_000)
        let tree = builder.build(entries)
        let network = InMemoryChunkStore()
        var cached: [ChunkID: [UInt8]] = [:]
        for page in tree.pages {
            await network.store(id: page.reference.id, bytes: page.ciphertext)
            cached[page.reference.id] = try ConvergentCipher.open(page.ciphertext, reference: page.reference)
        }
        let ids = Array(cached.keys)
        cached[ids[0]]![20] ^= 1
        cached[ids[1]] = nil
        let result = try await IndexTreeReader(source: network, cipher: cipher, cached: cached).read(root: tree.root, device: Self.device)
        #expect(result.index.entries == entries)
        #expect(result.damagedInCache == 1)
        #expect(Set(result.fetched.map(\.id)) == [ids[0], ids[1]])
    }

    @Test func missingOrDamagedPagesInTheNetworkFailTheRead() async throws {
        let tree = builder.build(Self.entries(3_000))
        let network = InMemoryChunkStore()
        for page in tree.pages { await network.store(id: page.reference.id, bytes: page.ciphertext) }
        let leaf = tree.pages[5]
        await network.remove(id: leaf.reference.id)
        await #expect(throws: ContentError.chunkNotFound(leaf.reference.id)) {
            try await IndexTreeReader(source: network, cipher: self.cipher).read(root: tree.root, device: Self.device)
        }
        var damaged = leaf.ciphertext
        damaged[3] ^= 0x40
        await network.overwrite(id: leaf.reference.id, with: damaged)
        await #expect(throws: ContentError.self) {
            try await IndexTreeReader(source: network, cipher: self.cipher).read(root: tree.root, device: Self.device)
        }
    }

    /// Seals hand-made pages into a network; returns the reference of the last.
    func plant(_ pages: [[UInt8]], in network: InMemoryChunkStore) async -> [ChunkReference] {
        var references: [ChunkReference] = []
        for plaintext in pages {
            let sealed = cipher.seal(plaintext)
            await network.store(id: sealed.reference.id, bytes: sealed.ciphertext)
            references.append(sealed.reference)
        }
        return references
    }

    func leaf(_ entries: [IndexEntry]) -> [UInt8] {
        var body = ByteWriter()
        for entry in entries { IndexEntryCodec.write(entry, to: &body) }
        return IndexPage.leaf(count: entries.count, body: body.bytes)
    }

    @Test func malformedTreesAreRefused() async throws {
        let network = InMemoryChunkStore()
        let (a, b) = (Self.file(number: 1, revision: 1), Self.file(number: 2, revision: 1))
        let leaves = await plant([leaf([a]), leaf([b])], in: network)
        func child(_ index: Int, entries: Int = 1) -> IndexPage.Child { IndexPage.Child(reference: leaves[index], entryCount: entries) }
        let cases: [(String, [UInt8])] = [
            ("paths not sorted", IndexPage.interior(level: 1, children: [child(1), child(0)])),
            ("paths not sorted", IndexPage.interior(level: 1, children: [child(0), child(0)])),
            ("were announced", IndexPage.interior(level: 1, children: [child(0, entries: 2), child(1)])),
            ("where 1 belongs", IndexPage.interior(level: 2, children: [child(0), child(1)])),
        ]
        for (reason, plaintext) in cases {
            let root = await plant([plaintext], in: network)[0]
            do {
                _ = try await IndexTreeReader(source: network, cipher: cipher).read(root: root, device: Self.device)
                Issue.record("a tree with \(reason) was read")
            } catch let error as FolderSyncError {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
        let good = await plant([IndexPage.interior(level: 1, children: [child(0), child(1)])], in: network)[0]
        #expect(try await IndexTreeReader(source: network, cipher: cipher).read(root: good, device: Self.device).index.entries == [a, b])
    }

    /// The page decoder on mutations of real pages (the fuzz tests' mutator): typed
    /// refusals, never a trap, and whatever decodes stays within the bounds.
    @Test func pageDecodingSurvivesMutations() throws {
        let pages = try builder.build(Self.entries(300)).pages.map { try ConvergentCipher.open($0.ciphertext, reference: $0.reference) }
        var random = SplitMix64(seed: 0x5032_5049_4e44_5831)
        var refused = 0
        for _ in 0..<5_000 {
            do {
                let page = try IndexPage(decoding: FolderIndexFuzzTests.mutate(pages, using: &random))
                #expect(page.level <= IndexPage.maxLevel && page.children.count <= IndexPage.maxChildren)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 1_000)
    }

    @Test func unknownAnnouncementVersionsAreRefusedWithAClearReason() {
        #expect(throws: FolderSyncError.malformed(
            what: "index announcement", reason: "unknown version 3 (made by a newer p2pstore: update this device)")
        ) { try IndexAnnouncement(decodingPlaintext: [3] + Array(repeating: 0, count: 76)) }
    }
}
