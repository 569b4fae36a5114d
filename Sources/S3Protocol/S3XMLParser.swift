/// A minimal XML parser for S3 request bodies, small enough to trust with hostile input.
///
/// It reads elements, text, CDATA, the five predefined entities and numeric character
/// references. Attributes are checked for shape and dropped; processing instructions and
/// comments are skipped. It refuses, with `MalformedXML`, everything S3 bodies never need
/// and attackers love: DOCTYPE and ENTITY declarations (no entity expansion, so no
/// "billion laughs" and no external entities), more than `maximumDepth` levels, input
/// over the caller's byte limit, and anything not well-formed.
public enum S3XMLParser {
    /// The deepest nesting accepted; S3 bodies need four or five levels.
    public static let maximumDepth = 64

    /// Parses a document and returns its root element.
    public static func parse(_ bytes: [UInt8], limit: Int) throws(S3Error) -> XMLNode {
        guard bytes.count <= limit else { throw .malformedXML.with(message: "The XML body exceeds \(limit) bytes.") }
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }
}

private struct Reader {
    private struct Frame {
        var rawName: [UInt8]
        var node: XMLNode
        var text: [UInt8] = []
    }

    let bytes: [UInt8]
    var index = 0
    private var stack: [Frame] = []
    private var root: XMLNode?

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func document() throws(S3Error) -> XMLNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                try markup()
            } else {
                try characterData()
            }
        }
        guard stack.isEmpty, let root else { throw .malformedXML }
        return root
    }

    private mutating func markup() throws(S3Error) {
        if matches("<?") {
            index = try position(after: "?>", from: index + 2)
        } else if matches("<!--") {
            index = try position(after: "-->", from: index + 4)
        } else if matches("<![CDATA[") {
            guard !stack.isEmpty else { throw .malformedXML }
            let end = try position(after: "]]>", from: index + 9)
            stack[stack.count - 1].text.append(contentsOf: bytes[(index + 9)..<(end - 3)])
            index = end
        } else if matches("<!") {
            // DOCTYPE, ENTITY, ELEMENT…: never in an S3 body, and the door to entity attacks.
            throw .malformedXML.with(message: "DOCTYPE and other declarations are not allowed.")
        } else if matches("</") {
            index += 2
            let name = try rawName()
            skipWhitespace()
            try expect(UInt8(ascii: ">"))
            guard let frame = stack.popLast(), frame.rawName == name else { throw .malformedXML }
            var node = frame.node
            guard let text = String(validating: frame.text, as: UTF8.self) else { throw .malformedXML }
            node.text = text
            try attach(node)
        } else {
            try startTag()
        }
    }

    private mutating func startTag() throws(S3Error) {
        index += 1
        let name = try rawName()
        var selfClosing = false
        while true {
            let hadSpace = skipWhitespace()
            guard index < bytes.count else { throw .malformedXML }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            if matches("/>") {
                index += 2
                selfClosing = true
                break
            }
            guard hadSpace else { throw .malformedXML }
            try skipAttribute()
        }
        guard root == nil else { throw .malformedXML.with(message: "The XML has more than one root element.") }
        guard stack.count < S3XMLParser.maximumDepth else {
            throw .malformedXML.with(message: "The XML nests deeper than \(S3XMLParser.maximumDepth) levels.")
        }
        guard let full = String(validating: name, as: UTF8.self) else { throw .malformedXML }
        let local = full.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? full
        let node = XMLNode(name: local)
        if selfClosing {
            try attach(node)
        } else {
            stack.append(Frame(rawName: name, node: node))
        }
    }

    private mutating func skipAttribute() throws(S3Error) {
        _ = try rawName()
        skipWhitespace()
        try expect(UInt8(ascii: "="))
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw .malformedXML
        }
        let quote = bytes[index]
        index += 1
        while index < bytes.count, bytes[index] != quote {
            guard bytes[index] != UInt8(ascii: "<") else { throw .malformedXML }
            index += 1
        }
        try expect(quote)
    }

    private mutating func attach(_ node: XMLNode) throws(S3Error) {
        if stack.isEmpty {
            guard root == nil else { throw .malformedXML }
            root = node
        } else {
            stack[stack.count - 1].node.children.append(node)
        }
    }

    /// Text up to the next `<`: entities decoded, line ends normalized as XML requires.
    private mutating func characterData() throws(S3Error) {
        let end = bytes[index...].firstIndex(of: UInt8(ascii: "<")) ?? bytes.count
        defer { index = end }
        guard !stack.isEmpty else {
            // Outside the root only whitespace may appear.
            guard bytes[index..<end].allSatisfy(Self.isWhitespace) else { throw .malformedXML }
            return
        }
        var output: [UInt8] = []
        var position = index
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "&") {
                guard let semicolon = bytes[position..<min(end, position + 12)].firstIndex(of: UInt8(ascii: ";")) else {
                    throw .malformedXML
                }
                try Self.appendEntity(bytes[(position + 1)..<semicolon], to: &output)
                position = semicolon + 1
            } else if byte == 0x0D {
                output.append(0x0A)
                position += (position + 1 < end && bytes[position + 1] == 0x0A) ? 2 : 1
            } else {
                output.append(byte)
                position += 1
            }
        }
        stack[stack.count - 1].text.append(contentsOf: output)
    }

    private static func appendEntity(_ name: ArraySlice<UInt8>, to output: inout [UInt8]) throws(S3Error) {
        switch String(decoding: name, as: UTF8.self) {
        case "amp": output.append(UInt8(ascii: "&"))
        case "lt": output.append(UInt8(ascii: "<"))
        case "gt": output.append(UInt8(ascii: ">"))
        case "quot": output.append(UInt8(ascii: "\""))
        case "apos": output.append(UInt8(ascii: "'"))
        case let reference where reference.hasPrefix("#"):
            let digits = reference.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            // Control characters are accepted: S3 writes them as references in keys.
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else { throw .malformedXML }
            UTF8.encode(scalar) { output.append($0) }
        default:
            // Only the predefined entities exist here: no DTD can declare others.
            throw .malformedXML
        }
    }

    private mutating func rawName() throws(S3Error) -> [UInt8] {
        let start = index
        while index < bytes.count, !Self.endsName(bytes[index]) { index += 1 }
        guard index > start else { throw .malformedXML }
        return Array(bytes[start..<index])
    }

    private static func endsName(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    private mutating func expect(_ byte: UInt8) throws(S3Error) {
        guard index < bytes.count, bytes[index] == byte else { throw .malformedXML }
        index += 1
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
    }

    /// The index just past the next occurrence of `terminator` at or after `start`.
    private func position(after terminator: StaticString, from start: Int) throws(S3Error) -> Int {
        let needle = terminator.withUTF8Buffer { Array($0) }
        var position = start
        while position + needle.count <= bytes.count {
            if bytes[position] == needle[0], bytes[position..<(position + needle.count)].elementsEqual(needle) {
                return position + needle.count
            }
            position += 1
        }
        throw .malformedXML
    }
}
