/// One page of a bucket listing (ListObjects V1 and V2), computed from the keys in S3
/// order (by UTF-8 bytes) in O(log n + page): binary searches find where the page starts
/// and jump over every key rolled up into a common prefix, so a page of a bucket with
/// many keys under a delimiter never scans them all.
public struct ListingPage<Entry: Sendable>: Sendable {
    /// The keys returned, in order, with their entries.
    public var contents: [(key: String, entry: Entry)]
    /// The common prefixes returned, in order (each ends with the delimiter).
    public var commonPrefixes: [String]
    /// Whether more keys or prefixes follow this page.
    public var isTruncated: Bool
    /// When truncated, the last key or common prefix returned: the `NextMarker`, or what to
    /// encode into a `NextContinuationToken`. Passing it back as `after` continues the listing.
    public var nextMarker: String?

    public init(contents: [(key: String, entry: Entry)] = [], commonPrefixes: [String] = [], isTruncated: Bool = false, nextMarker: String? = nil) {
        self.contents = contents
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextMarker = nextMarker
    }

    /// The page of `sorted` (keys ascending by UTF-8 bytes, no duplicates) under `prefix`,
    /// rolling keys up at the first `delimiter` after the prefix, starting strictly after
    /// `after` (start-after, marker or a decoded continuation token; when `after` is itself
    /// a common prefix, everything under it is skipped too), with at most `maxKeys` keys and
    /// prefixes together. `maxKeys` ≤ 0 gives an empty page that is not truncated, as in S3.
    public static func make<C: RandomAccessCollection>(
        sorted: C, prefix: String, delimiter: String?, after: String?, maxKeys: Int
    ) -> ListingPage where C.Element == (key: String, entry: Entry), C.Index == Int {
        var page = ListingPage()
        guard maxKeys > 0 else { return page }
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        let prefixBytes = Array(prefix.utf8)
        var index = partition(sorted, from: sorted.startIndex) { !$0.utf8.lexicographicallyPrecedes(prefixBytes) }
        if let after {
            let afterBytes = Array(after.utf8)
            index = partition(sorted, from: index) { afterBytes.lexicographicallyPrecedes($0.utf8) }
            if let delimiter, afterBytes.starts(with: prefixBytes),
                rolledUp(afterBytes, prefixLength: prefixBytes.count, delimiter: delimiter) == afterBytes
            {
                // Every key from here on is above `after`, so those under it come first.
                index = partition(sorted, from: index) { !$0.utf8.starts(with: afterBytes) }
            }
        }
        var count = 0
        while index < sorted.endIndex {
            let key = sorted[index].key
            guard key.utf8.starts(with: prefixBytes) else { break }
            guard count < maxKeys else {
                page.isTruncated = true
                break
            }
            count += 1
            if let delimiter, let commonPrefix = rolledUp(Array(key.utf8), prefixLength: prefixBytes.count, delimiter: delimiter) {
                let text = String(decoding: commonPrefix, as: UTF8.self)
                page.commonPrefixes.append(text)
                page.nextMarker = text
                index = partition(sorted, from: index + 1) { !$0.utf8.starts(with: commonPrefix) }
            } else {
                page.contents.append(sorted[index])
                page.nextMarker = key
                index += 1
            }
        }
        if !page.isTruncated { page.nextMarker = nil }
        return page
    }

    /// A key or prefix as `encoding-type=url` returns it: every byte but the unreserved
    /// `A-Z a-z 0-9 - . _ ~` and `/` percent-encoded (clients decode with `unquote`).
    public static func encodeURL(_ text: String) -> String {
        URIEncoding.encode(text.utf8, keepSlash: true)
    }

    /// The key cut just after the first delimiter past the prefix, or nil when none follows.
    private static func rolledUp(_ key: [UInt8], prefixLength: Int, delimiter: [UInt8]) -> [UInt8]? {
        guard key.count >= prefixLength + delimiter.count else { return nil }
        var start = prefixLength
        while start + delimiter.count <= key.count {
            if key[start] == delimiter[0], key[start..<(start + delimiter.count)].elementsEqual(delimiter) {
                return Array(key[..<(start + delimiter.count)])
            }
            start += 1
        }
        return nil
    }

    /// The first index at or after `low` whose key satisfies `predicate`, which must be
    /// false then true along the collection from `low`.
    private static func partition<C: RandomAccessCollection>(
        _ sorted: C, from low: Int, where predicate: (String) -> Bool
    ) -> Int where C.Element == (key: String, entry: Entry), C.Index == Int {
        var low = low
        var high = sorted.endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if predicate(sorted[middle].key) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
