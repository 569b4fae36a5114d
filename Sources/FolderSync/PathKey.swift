/// A folder-relative path as the key of a table: equal, hashed and ordered by its UTF-8
/// bytes, as the file system sees names. Swift's `String` compares by canonical
/// equivalence, under which `é` (U+00E9) and `e` + U+0301 are one string but two files;
/// keyed by `PathKey` they stay two paths, and both sync.
public struct PathKey: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let path: String

    public init(_ path: String) { self.path = path }
    public init(stringLiteral path: String) { self.path = path }

    public static func == (a: PathKey, b: PathKey) -> Bool { a.path.utf8.elementsEqual(b.path.utf8) }

    public static func < (a: PathKey, b: PathKey) -> Bool { a.path.utf8.lexicographicallyPrecedes(b.path.utf8) }

    public func hash(into hasher: inout Hasher) {
        var copy = path
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    public var description: String { path }
}
