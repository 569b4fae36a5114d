import Codecs
import OpenSSLKit

/// The form of every secret string a person copies by hand (capabilities, folder tokens):
/// a prefix, then lowercase base32 (RFC 4648, no padding) of a payload followed by a
/// checksum of 4 bytes, the first 4 bytes of SHA-256 of the payload, which catches typing
/// mistakes before the string is used. Base32 is case-insensitive when read.
public enum CheckedBase32 {
    public static let checksumSize = 4

    /// Why a body (the text after the prefix) does not decode.
    public enum Failure: Error, Sendable, Equatable {
        case wrongLength(expected: Int, actual: Int)
        /// `position` counts from the start of the whole string, prefix included.
        case invalidCharacter(Character, position: Int)
        /// A character was mistyped or the string was altered.
        case checksumMismatch
    }

    /// Characters after the prefix for a payload of `payloadSize` bytes.
    public static func encodedLength(payloadSize: Int) -> Int {
        ((payloadSize + checksumSize) * 8 + 4) / 5
    }

    public static func encode(prefix: String, payload: [UInt8]) -> String {
        prefix + Base32.encode(payload + checksum(payload))
    }

    /// The payload of `body`, checked; `prefixLength` only places character positions.
    public static func decode(_ body: Substring, prefixLength: Int, payloadSize: Int) throws(Failure) -> [UInt8] {
        let expected = encodedLength(payloadSize: payloadSize)
        guard body.utf8.count == expected else { throw .wrongLength(expected: expected, actual: body.utf8.count) }
        // Bytes first (cheap); characters only to name the first bad one.
        if !body.utf8.allSatisfy(Self.isSymbol) {
            for (position, character) in body.enumerated() where !(character.asciiValue.map(isSymbol) ?? false) {
                throw .invalidCharacter(character, position: prefixLength + position)
            }
        }
        guard let decoded = Base32.decode(body), decoded.count == payloadSize + checksumSize else { throw .checksumMismatch }
        let payload = Array(decoded[..<payloadSize])
        guard checksum(payload) == Array(decoded[payloadSize...]) else { throw .checksumMismatch }
        return payload
    }

    /// `text` without surrounding whitespace (a pasted line keeps its newline).
    public static func trimmed(_ text: String) -> Substring {
        if let first = text.utf8.first, let last = text.utf8.last, !isASCIIWhitespaceOrOther(first), !isASCIIWhitespaceOrOther(last) {
            return Substring(text)
        }
        let scalars = text.unicodeScalars
        let first = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
        let last = scalars.lastIndex { !$0.properties.isWhitespace }
        guard let last else { return Substring() }
        return Substring(scalars[first...last])
    }

    /// A base32 symbol in either case.
    private static func isSymbol(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 50 && byte <= 55)
    }

    /// Whitespace, or not ASCII (whose whitespace only Unicode's properties tell).
    private static func isASCIIWhitespaceOrOther(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(bytes).prefix(checksumSize))
    }
}
