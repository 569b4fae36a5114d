import APIModel
import Content
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Mount
import Synchronization
import Testing

/// What a fake loader or fetcher saw, shared with the test.
final class Recorded<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
    func update(_ body: (inout Value) -> Void) { value.withLock { body(&$0) } }
    var current: Value { value.withLock { $0 } }
}

/// The mount's logic without a kernel: path resolution over listings, and the reader's window.
@Suite struct MountTreeTests {
    typealias Entry = DirectoryDocument.Entry

    /// A tree: root { a.txt, sub/ { deep.bin, link -> ../a.txt }, empty/ }, counting loads.
    static func tree(loads: Recorded<[String: Int]>) -> MountTree {
        let listings: [String: DirectoryDocument] = [
            "root": DirectoryDocument(entries: [
                Entry(name: "a.txt", type: "file", mode: 0o644, mtimeNanoseconds: 1_500_000_000, size: 12, cap: "capA"),
                Entry(name: "empty", type: "directory", mode: 0o755, mtimeNanoseconds: 0, size: 0, cap: "capEmpty"),
                Entry(name: "sub", type: "directory", mode: 0o700, mtimeNanoseconds: 0, size: 0, cap: "capSub"),
            ]),
            "capSub": DirectoryDocument(entries: [
                Entry(name: "deep.bin", type: "file", mode: 0o4755, mtimeNanoseconds: 0, size: 1 << 20, cap: "capDeep"),
                Entry(name: "link", type: "symlink", mode: 0o777, mtimeNanoseconds: 0, size: 8, target: "../a.txt"),
            ]),
            "capEmpty": DirectoryDocument(entries: []),
        ]
        return MountTree(rootCapability: "root") { cap in
            loads.update { $0[cap, default: 0] += 1 }
            guard let document = listings[cap] else { throw MountError.io("no such listing") }
            return MountTree.Listing(document)
        }
    }

    @Test func resolvesPathsAndLoadsEachListingOnce() async throws {
        let loads = Recorded<[String: Int]>([:])
        let tree = Self.tree(loads: loads)
        #expect(try await onThread { try tree.node(at: "/") } == tree.root)
        #expect(try await onThread { try tree.node(at: "/a.txt") } == .file(capability: "capA", size: 12, mode: 0o644, mtimeNanoseconds: 1_500_000_000))
        #expect(try await onThread { try tree.node(at: "/sub/link") } == .symlink(target: "../a.txt", mtimeNanoseconds: 0))
        for _ in 0..<5 { _ = try await onThread { try tree.node(at: "/sub/deep.bin") } }
        #expect(try await onThread { try tree.entries(at: "/").map { $0.name } } == ["a.txt", "empty", "sub"])
        #expect(try await onThread { try tree.entries(at: "/empty").isEmpty })
        // Listing the root prefetched its subdirectories; each listing was still loaded once.
        #expect(await eventually { loads.current == ["root": 1, "capSub": 1, "capEmpty": 1] }, "\(loads.current)")
    }

    @Test func missingNamesAndFilesUsedAsDirectoriesAreErrors() async throws {
        let tree = Self.tree(loads: Recorded([:]))
        let failures = try await onThread { () -> [MountError?] in
            ["/nope", "/sub/nope", "/a.txt/x", "/sub/link/x"].map { path in
                do throws(MountError) { _ = try tree.node(at: path); return nil } catch { return error }
            } + [{ () -> MountError? in
                do throws(MountError) { _ = try tree.entries(at: "/a.txt"); return nil } catch { return error }
            }()]
        }
        #expect(failures == [.notFound, .notFound, .notDirectory, .notDirectory, .notDirectory])
    }

    @Test func modesAreTheStoredOnesButNeverSetuid() async throws {
        let tree = Self.tree(loads: Recorded([:]))
        let modes = try await onThread { try ["/sub/deep.bin", "/a.txt", "/sub", "/sub/link"].map { try tree.node(at: $0).statMode } }
        #expect(modes == [0o100755, 0o100644, 0o040700, 0o120777], "setuid dropped")
    }

    /// A listing that fails to load is tried again at the next access, not remembered.
    @Test func aFailedListingIsLoadedAgain() async throws {
        let attempts = Recorded(0)
        let tree = MountTree(rootCapability: "root") { _ in
            var attempt = 0
            attempts.update { $0 += 1; attempt = $0 }
            if attempt == 1 { throw MountError.io("peer down") }
            return MountTree.Listing(DirectoryDocument(entries: []))
        }
        let first = try await onThread { () -> MountError? in
            do throws(MountError) { _ = try tree.entries(at: "/"); return nil } catch { return error }
        }
        #expect(first?.code == EIO)
        #expect(try await onThread { try tree.entries(at: "/").isEmpty })
        #expect(attempts.current == 2)
    }

    /// The binary listing a mount reads gives the same nodes as the JSON document.
    @Test func aBinaryListingGivesTheSameNodes() throws {
        let reference = ChunkReference(id: ChunkID(hashing: [1, 2, 3]), key: try #require(ChunkKey(bytes: [UInt8](repeating: 9, count: ChunkKey.size))))
        let listing = try DirectoryListing(entries: [
            DirectoryEntry(name: "b.txt", kind: .file(reference), mode: 0o4755, modificationTimeNanoseconds: 5, size: 10),
            DirectoryEntry(name: "a", kind: .directory(reference), mode: 0o700, modificationTimeNanoseconds: 6, size: 0),
            DirectoryEntry(name: "l", kind: .symlink(target: "b.txt"), mode: 0o777, modificationTimeNanoseconds: 7, size: 5),
        ])
        let decoded = MountTree.Listing(try DirectoryListing(decoding: listing.encoded()))
        let cap = Capability(root: reference).description
        #expect(decoded.names == ["a", "b.txt", "l"])
        #expect(decoded.nodes["b.txt"] == .file(capability: cap, size: 10, mode: 0o755, mtimeNanoseconds: 5))
        #expect(decoded.nodes["a"] == .directory(capability: cap, mode: 0o700, mtimeNanoseconds: 6))
        #expect(decoded.nodes["l"] == .symlink(target: "b.txt", mtimeNanoseconds: 7))
    }

    /// Sizes and times are remote input too: extreme ones give extreme attributes, never a trap.
    @Test func extremeSizesAndTimesDoNotTrap() {
        let huge = MountNode.file(capability: "c", size: .max, mode: 0o644, mtimeNanoseconds: .min)
        #expect(huge.blockCount == Int(UInt64.max / 512) + 1)
        #expect(huge.modificationTime.nanoseconds >= 0 && huge.modificationTime.nanoseconds < 1_000_000_000)
        #expect(MountNode.file(capability: "c", size: 513, mode: 0, mtimeNanoseconds: -1).blockCount == 2)
        #expect(MountNode.file(capability: "c", size: 0, mode: 0, mtimeNanoseconds: -1).modificationTime == (-1, 999_999_999))
        #expect(MountNode.file(capability: "c", size: 0, mode: 0, mtimeNanoseconds: .max).modificationTime.seconds == Int(Int64.max / 1_000_000_000))
    }

    /// A listing is remote input: names that would escape or confuse a path, unknown types
    /// and entries without a capability are left out; the first of two equal names wins.
    @Test func hostileEntriesAreLeftOut() {
        let document = DirectoryDocument(entries: [
            Entry(name: "..", type: "directory", mode: 0o755, mtimeNanoseconds: 0, size: 0, cap: "x"),
            Entry(name: ".", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: "x"),
            Entry(name: "a/b", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: "x"),
            Entry(name: "nul\u{0}", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: "x"),
            Entry(name: "", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: "x"),
            Entry(name: "device", type: "chardev", mode: 0o644, mtimeNanoseconds: 0, size: 0, cap: "x"),
            Entry(name: "nocap", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1),
            Entry(name: "nocapdir", type: "directory", mode: 0o755, mtimeNanoseconds: 0, size: 0),
            Entry(name: "badlink", type: "symlink", mode: 0o777, mtimeNanoseconds: 0, size: 0, target: ""),
            Entry(name: "twice", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: "first"),
            Entry(name: "twice", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 2, cap: "second"),
        ])
        let listing = MountTree.Listing(document)
        #expect(listing.names == ["twice"])
        #expect(listing.nodes["twice"] == .file(capability: "first", size: 1, mode: 0o644, mtimeNanoseconds: 0))
    }
}

/// Runs `body` on a thread of its own, as libfuse's threads call readers: a reader blocks
/// its thread, which must not be one of Swift concurrency's few.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Polls `condition` until it holds, for at most 10 s.
func eventually(_ condition: @escaping @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))  // polling with a deadline
    }
    return condition()
}

@Suite struct FileReaderTests {
    static let content: [UInt8] = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    /// A reader over `content` that records every range it fetches.
    static func reader(fetched: Recorded<[Range<UInt64>]>, failing: Bool = false) -> FileReader {
        FileReader(size: UInt64(content.count)) { range in
            fetched.update { $0.append(range) }
            if failing { throw MountError.io("peer down") }
            return Array(content[Int(range.lowerBound)..<Int(range.upperBound)])
        }
    }

    @Test func streamingReadsGrowTheWindowAndFetchAhead() async throws {
        let fetched = Recorded<[Range<UInt64>]>([])
        let reader = Self.reader(fetched: fetched)
        let output = try await onThread {
            var output: [UInt8] = []
            var offset: UInt64 = 0
            while true {
                let bytes = try reader.read(offset: offset, count: 128 << 10)
                if bytes.isEmpty { break }
                output += bytes
                offset += UInt64(bytes.count)
            }
            return output
        }
        #expect(output == Self.content)
        let ranges = fetched.current
        // 48 reads of 128 KiB in far fewer, growing requests that tile the file exactly once.
        let sizes = ranges.map { $0.count }
        #expect(ranges.count < 12, "\(ranges.count) requests")
        #expect(sizes.reduce(0, +) == Self.content.count, "no byte fetched twice")
        #expect(sizes.max()! == Int(FileReader.window), "whole windows once streaming")
    }

    @Test func randomReadsFetchOnlyWhatIsRead() async throws {
        let fetched = Recorded<[Range<UInt64>]>([])
        let reader = Self.reader(fetched: fetched)
        var generator = SystemRandomNumberGenerator()
        var wanted: [Range<UInt64>] = []
        for _ in 0..<50 {
            let offset = UInt64.random(in: 0..<UInt64(Self.content.count - 4096), using: &generator) & ~4095
            let bytes = try await onThread { try reader.read(offset: offset, count: 4096) }
            #expect(bytes == Array(Self.content[Int(offset)..<Int(offset) + 4096]))
            wanted.append(offset..<offset + 4096)
        }
        let ranges = fetched.current
        let fetchedBytes = ranges.map { $0.count }.reduce(0, +)
        #expect(fetchedBytes == 50 * 4096, "random reads fetch their bytes and nothing ahead")
    }

    @Test func readsAtAndPastTheEnd() async throws {
        let reader = Self.reader(fetched: Recorded([]))
        let size = UInt64(Self.content.count)
        #expect(try await onThread { try reader.read(offset: size - 10, count: 4096) } == Array(Self.content.suffix(10)))
        #expect(try await onThread { try reader.read(offset: size, count: 4096) }.isEmpty)
        #expect(try await onThread { try reader.read(offset: size + 1 << 30, count: 4096) }.isEmpty)
    }

    /// Reads that follow each other by small steps (the kernel's read-ahead of a random
    /// read) stay random access: nothing is fetched beyond them.
    @Test func aShortRunIsNotAStream() async throws {
        let fetched = Recorded<[Range<UInt64>]>([])
        let reader = Self.reader(fetched: fetched)
        _ = try await onThread {
            for step in 0..<4 { _ = try reader.read(offset: 1 << 20 + UInt64(step) * 16384, count: 16384) }
        }
        #expect(fetched.current.map { $0.count }.reduce(0, +) == 4 * 16384)
    }

    /// A stream whose prefetch failed once reads the bytes again instead of failing.
    @Test func aFailedWindowIsFetchedAgain() async throws {
        let failures = Recorded(1)
        let reader = FileReader(size: UInt64(Self.content.count)) { range in
            if range.count == Int(FileReader.window) {
                var fail = false
                failures.update { if $0 > 0 { $0 -= 1; fail = true } }
                if fail { throw MountError.io("transient") }
            }
            return Array(Self.content[Int(range.lowerBound)..<Int(range.upperBound)])
        }
        let output = try await onThread {
            var output: [UInt8] = []
            var offset: UInt64 = 0
            while offset < UInt64(Self.content.count) {
                let bytes = try reader.read(offset: offset, count: 128 << 10)
                output += bytes
                offset += UInt64(bytes.count)
            }
            return output
        }
        #expect(output == Self.content)
    }

    @Test func aFailedFetchIsAnIOError() async throws {
        let reader = Self.reader(fetched: Recorded([]), failing: true)
        let code = try await onThread { () -> Int32 in
            do throws(MountError) {
                _ = try reader.read(offset: 0, count: 4096)
                return 0
            } catch {
                return error.code
            }
        }
        #expect(code == EIO)
    }
}

@Suite struct FolderTreeTests {
    typealias Entry = FolderAPIDocuments.Tree.Entry

    static func file(_ path: String, cap: String = "cap") -> Entry {
        Entry(path: path, type: "file", mode: 0o4644, mtimeNanoseconds: 7, size: 3, cap: cap, target: nil)
    }

    @Test func flatEntriesBecomeATreeWithImpliedParents() throws {
        let tree = FolderTree()
        tree.update(FolderAPIDocuments.Tree(folder: "f", generation: 1, entries: [
            Self.file("a.txt"),
            Entry(path: "docs", type: "directory", mode: 0o700, mtimeNanoseconds: 5, size: 0, cap: nil, target: nil),
            Self.file("docs/b.txt"),
            Self.file("deep/er/c.txt"),
            Entry(path: "link", type: "symlink", mode: 0o777, mtimeNanoseconds: 0, size: 5, cap: nil, target: "a.txt"),
        ]), mountedAt: 9)
        #expect(try tree.entries(at: "/").map { $0.name } == ["a.txt", "docs", "deep", "link"])
        #expect(try tree.node(at: "/docs") == .directory(capability: "", mode: 0o700, mtimeNanoseconds: 5))
        #expect(try tree.node(at: "/deep/er") == .directory(capability: "", mode: 0o755, mtimeNanoseconds: 9))
        #expect(try tree.node(at: "/deep/er/c.txt").statMode == 0o100644, "setuid never shows")
        #expect(try tree.entries(at: "/deep/er").map { $0.name } == ["c.txt"])
        #expect(throws: MountError.notDirectory) { try tree.entries(at: "/a.txt") }
        #expect(throws: MountError.notFound) { try tree.node(at: "/nope") }
    }

    /// The merged tree is remote input: unsafe paths, entries under a file, files without a
    /// capability and unknown types are left out; the first of two equal paths wins.
    @Test func hostileEntriesAreLeftOut() throws {
        let tree = FolderTree()
        tree.update(FolderAPIDocuments.Tree(folder: "f", generation: 1, entries: [
            Self.file("../escape"), Self.file("a/../b"), Self.file("/abs"), Self.file("a//b"), Self.file(""),
            Self.file("f"), Self.file("f/under-a-file"),
            Entry(path: "nocap", type: "file", mode: 0o644, mtimeNanoseconds: 0, size: 1, cap: nil, target: nil),
            Entry(path: "dev", type: "fifo", mode: 0o644, mtimeNanoseconds: 0, size: 0, cap: nil, target: nil),
            Self.file("twice", cap: "first"), Self.file("twice", cap: "second"),
        ]), mountedAt: 0)
        #expect(try tree.entries(at: "/").map { $0.name } == ["f", "twice"])
        #expect(try tree.node(at: "/twice") == .file(capability: "first", size: 3, mode: 0o644, mtimeNanoseconds: 7))
    }

    @Test func aNewGenerationReplacesTheTreeAndUnchangedKeepsIt() throws {
        let tree = FolderTree()
        tree.update(FolderAPIDocuments.Tree(folder: "f", generation: 1, entries: [Self.file("old")]), mountedAt: 0)
        tree.update(FolderAPIDocuments.Tree(folder: "f", generation: 1, entries: [], unchanged: true), mountedAt: 0)
        #expect(try tree.entries(at: "/").map { $0.name } == ["old"])
        tree.update(FolderAPIDocuments.Tree(folder: "f", generation: 2, entries: [Self.file("new")]), mountedAt: 0)
        #expect(try tree.entries(at: "/").map { $0.name } == ["new"])
        #expect(tree.generation == 2)
    }
}
