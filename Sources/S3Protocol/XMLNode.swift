/// An element of a parsed request body: its local name (namespace prefix stripped), the
/// character data directly inside it, and its child elements in document order.
public struct XMLNode: Sendable, Equatable {
    /// The local name: `s3:Part` and `Part` both read as `Part`.
    public var name: String
    /// The element's own character data, concatenated, untrimmed (keys may have spaces).
    public var text: String
    public var children: [XMLNode]

    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child with this local name.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Every child with this local name, in document order.
    public func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text with surrounding XML whitespace removed, for numbers, booleans and ETags.
    public var trimmedText: String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let utf8 = Array(text.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
