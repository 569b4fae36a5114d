/// Percent-encoding as AWS defines it for SigV4 and `encoding-type=url`: every byte
/// except the unreserved `A-Z a-z 0-9 - . _ ~` becomes `%XX` with uppercase hex.
enum URIEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes, keepSlash: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                appendEscape(byte, to: &output)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Strict percent-decoding: nil when a `%` is not followed by two hex digits.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        let utf8 = Array(text.utf8)
        output.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%") {
                guard index + 2 < utf8.count, let byte = hexByte(utf8[index + 1], utf8[index + 2]) else { return nil }
                output.append(byte)
                index += 3
            } else {
                output.append(utf8[index])
                index += 1
            }
        }
        return output
    }

    /// Lenient decoding for canonical forms: a stray `%` stays a literal `%`.
    static func decodeLeniently(_ text: some StringProtocol) -> [UInt8] {
        var output: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count, let byte = hexByte(utf8[index + 1], utf8[index + 2]) {
                output.append(byte)
                index += 3
            } else {
                output.append(utf8[index])
                index += 1
            }
        }
        return output
    }

    /// The SigV4 canonical URI of a path as sent: each escape decoded and re-encoded the
    /// AWS way, so `%7e` and `~` agree, while an escaped slash (`%2F`) stays escaped
    /// because the client signed it that way. No dot-segment or `//` normalization: S3
    /// keys are opaque.
    static func canonicalPath(_ rawPath: String) -> String {
        let utf8 = Array(rawPath.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte: UInt8
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count, let decoded = hexByte(utf8[index + 1], utf8[index + 2]) {
                byte = decoded
                index += 3
                if isUnreserved(byte) { output.append(byte) } else { appendEscape(byte, to: &output) }
            } else {
                byte = utf8[index]
                index += 1
                if isUnreserved(byte) || byte == UInt8(ascii: "/") { output.append(byte) } else { appendEscape(byte, to: &output) }
            }
        }
        return output.isEmpty ? "/" : String(decoding: output, as: UTF8.self)
    }

    private static func appendEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "%"))
        output.append(hexDigits[Int(byte >> 4)])
        output.append(hexDigits[Int(byte & 0x0F)])
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = nibble(high), let low = nibble(low) else { return nil }
        return high << 4 | low
    }

    private static func nibble(_ symbol: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return symbol - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return symbol - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return symbol - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
