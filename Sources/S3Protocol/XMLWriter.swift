/// A small XML builder for S3 response bodies. Starts with the XML declaration; escapes
/// text so that any key round-trips, including keys with control characters.
///
///     var w = XMLWriter()
///     w.open("ListBucketResult", namespace: XMLWriter.s3Namespace)
///     w.element("Name", bucket)
///     w.close("ListBucketResult")
///     send(w.bytes)
public struct XMLWriter: Sendable {
    /// The namespace of every S3 response document.
    public static let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// The document so far.
    public private(set) var bytes: [UInt8]

    public init() {
        bytes = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
    }

    /// Opens an element, with an `xmlns` attribute when `namespace` is given.
    public mutating func open(_ name: String, namespace: String? = nil) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        if let namespace {
            bytes.append(contentsOf: #" xmlns=""#.utf8)
            Self.appendEscaped(namespace, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    /// Closes an element opened with `open`.
    public mutating func close(_ name: String) {
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// `<name>escaped text</name>`.
    public mutating func element(_ name: String, _ text: String) {
        open(name)
        Self.appendEscaped(text, to: &bytes)
        close(name)
    }

    public mutating func element(_ name: String, _ value: Int) {
        element(name, String(value))
    }

    /// `true` / `false`, as S3 writes booleans.
    public mutating func element(_ name: String, _ value: Bool) {
        element(name, value ? "true" : "false")
    }

    /// The text escaped for element content or a quoted attribute value.
    public static func escape(_ text: String) -> String {
        var output: [UInt8] = []
        appendEscaped(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: output.append(contentsOf: "&amp;".utf8)
            case 0x3C: output.append(contentsOf: "&lt;".utf8)
            case 0x3E: output.append(contentsOf: "&gt;".utf8)
            case 0x22: output.append(contentsOf: "&quot;".utf8)
            case 0x27: output.append(contentsOf: "&apos;".utf8)
            // Tab and LF survive parsing as they are. CR does not (parsers turn CRLF and CR
            // into LF), and the other controls and U+FFFE/U+FFFF are not XML 1.0 characters at
            // all, so they go as character references, as S3 writes them for keys.
            case 0x09, 0x0A: output.append(UInt8(scalar.value))
            case 0x00..<0x20, 0xFFFE, 0xFFFF:
                output.append(contentsOf: "&#x".utf8)
                output.append(contentsOf: String(scalar.value, radix: 16, uppercase: true).utf8)
                output.append(UInt8(ascii: ";"))
            default:
                UTF8.encode(scalar) { output.append($0) }
            }
        }
    }
}
