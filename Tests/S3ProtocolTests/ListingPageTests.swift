import Foundation
import Testing

@testable import S3Protocol

struct ListingPageTests {
    typealias Page = ListingPage<Int>

    static func sortedEntries(_ keys: [String]) -> [(key: String, entry: Int)] {
        Array(Set(keys)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.enumerated().map { ($0.element, $0.offset) }
    }

    /// The obvious O(n) listing the fast one must agree with.
    static func naive(_ entries: [(key: String, entry: Int)], prefix: String, delimiter: String?, after: String?, maxKeys: Int) -> (items: [String], truncated: Bool) {
        guard maxKeys > 0 else { return ([], false) }
        let delimiter = delimiter == "" ? nil : delimiter
        var afterPrefix: String?
        if let after, let delimiter, after.hasPrefix(prefix), let range = after.dropFirst(prefix.count).range(of: delimiter),
            after[..<range.upperBound] == after[...]
        {
            afterPrefix = after
        }
        var items: [String] = []
        for (key, _) in entries where key.utf8.starts(with: prefix.utf8) {
            if let after, !after.utf8.lexicographicallyPrecedes(key.utf8) { continue }
            if let afterPrefix, key.utf8.starts(with: afterPrefix.utf8) { continue }
            var item = key
            if let delimiter, let range = key.dropFirst(prefix.count).range(of: delimiter) { item = String(key[..<range.upperBound]) }
            if items.last != item { items.append(item) }
        }
        return (Array(items.prefix(maxKeys)), items.count > maxKeys)
    }

    static func items(_ page: Page) -> [String] {
        (page.contents.map(\.key) + page.commonPrefixes).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    @Test func prefixDelimiterAndAfter() {
        let entries = Self.sortedEntries(["a", "b/1", "b/2", "b/c/3", "c", "d/x", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/a.jpg", "photos/x.jpg"])
        var page = Page.make(sorted: entries, prefix: "", delimiter: "/", after: nil, maxKeys: 1000)
        #expect(page.contents.map(\.key) == ["a", "c"])
        #expect(page.commonPrefixes == ["b/", "d/", "photos/"])
        #expect(!page.isTruncated && page.nextMarker == nil)

        page = Page.make(sorted: entries, prefix: "photos/", delimiter: "/", after: nil, maxKeys: 1000)
        #expect(page.contents.map(\.key) == ["photos/x.jpg"])
        #expect(page.commonPrefixes == ["photos/2024/", "photos/2025/"])

        page = Page.make(sorted: entries, prefix: "b/", delimiter: nil, after: "b/1", maxKeys: 1000)
        #expect(page.contents.map(\.key) == ["b/2", "b/c/3"])

        page = Page.make(sorted: entries, prefix: "", delimiter: "/", after: "b/", maxKeys: 2)
        #expect(page.contents.map(\.key) == ["c"])
        #expect(page.commonPrefixes == ["d/"])
        #expect(page.isTruncated && page.nextMarker == "d/")

        page = Page.make(sorted: entries, prefix: "", delimiter: "/", after: nil, maxKeys: 0)
        #expect(page.contents.isEmpty && page.commonPrefixes.isEmpty && !page.isTruncated)

        page = Page.make(sorted: entries, prefix: "zzz", delimiter: "/", after: nil, maxKeys: 10)
        #expect(page.contents.isEmpty && page.commonPrefixes.isEmpty && !page.isTruncated)
    }

    @Test func keysSortByUTF8Bytes() {
        // U+FF21 sorts after U+00E9 by bytes; both after ASCII.
        let entries = Self.sortedEntries(["Ａ", "é", "z", "A"])
        #expect(entries.map(\.key) == ["A", "z", "é", "Ａ"])
        let page = Page.make(sorted: entries, prefix: "", delimiter: nil, after: "z", maxKeys: 10)
        #expect(page.contents.map(\.key) == ["é", "Ａ"])
    }

    @Test func continuationOver2500KeysWithADelimiter() {
        var keys: [String] = []
        for folder in 0..<50 {
            for file in 0..<40 { keys.append("dir\(folder)/file\(file)") }
        }
        for file in 0..<500 { keys.append("top\(file)") }
        let entries = Self.sortedEntries(keys)
        #expect(entries.count == 2500)
        var seen: [String] = []
        var after: String?
        var pages = 0
        repeat {
            let page = Page.make(sorted: entries, prefix: "", delimiter: "/", after: after, maxKeys: 7)
            seen += Self.items(page)
            pages += 1
            #expect(page.contents.count + page.commonPrefixes.count <= 7)
            after = page.nextMarker
            if !page.isTruncated { #expect(page.nextMarker == nil) }
        } while after != nil
        #expect(seen.count == 550)
        #expect(Set(seen).count == 550)
        #expect(pages == 79)
        #expect(seen == Self.naive(entries, prefix: "", delimiter: "/", after: nil, maxKeys: 10_000).items)
    }

    @Test func aPageOfManyKeysUnderOnePrefixIsQuick() {
        // 200,000 keys under two folders: a page is two binary-search jumps, not a scan.
        let entries = Self.sortedEntries((0..<100_000).flatMap { ["a/\($0)", "b/\($0)"] } + ["c"])
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<1000 {
                let page = Page.make(sorted: entries, prefix: "", delimiter: "/", after: nil, maxKeys: 1000)
                precondition(page.commonPrefixes == ["a/", "b/"] && page.contents.count == 1)
            }
        }
        #expect(elapsed < .seconds(5))
    }

    @Test func agreesWithTheNaiveListingOnRandomKeys() {
        var random = SplitMix64(seed: 42)
        let alphabet = ["a", "b", "/", "-", "é", "ab/"]
        func randomString(_ maxLength: Int) -> String {
            (0..<Int.random(in: 0...maxLength, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        for _ in 0..<400 {
            let entries = Self.sortedEntries((0..<Int.random(in: 0...60, using: &random)).map { _ in randomString(6) }.filter { !$0.isEmpty })
            let prefix = randomString(2)
            let delimiter = [nil, "/", "b", "ab", ""].randomElement(using: &random)!
            let after = Bool.random(using: &random) ? nil : randomString(4)
            let maxKeys = Int.random(in: 0...12, using: &random)
            let page = Page.make(sorted: entries, prefix: prefix, delimiter: delimiter, after: after, maxKeys: maxKeys)
            let expected = Self.naive(entries, prefix: prefix, delimiter: delimiter, after: after, maxKeys: maxKeys)
            #expect(Self.items(page) == expected.items, "prefix \(prefix) delimiter \(String(describing: delimiter)) after \(String(describing: after)) max \(maxKeys)")
            #expect(page.isTruncated == expected.truncated)
            for item in page.contents { #expect(entries[item.entry].key == item.key) }
        }
    }

    @Test func urlEncoding() {
        #expect(Page.encodeURL("a b/c+d&é~") == "a%20b/c%2Bd%26%C3%A9~")
    }
}

/// A seeded generator, so a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
