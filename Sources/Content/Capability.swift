import Codecs
import OpenSSLKit

/// A read capability: the string that names a stored file or directory and holds the key
/// to read it (Tahoe-LAFS style). Whoever holds it can read the content; peers cannot.
///
/// Format: `p2p1:` followed by lowercase base32 (RFC 4648, no padding) of 69 bytes:
/// format byte `0x01`, root manifest id (32), root manifest key (32), and a checksum of
/// 4 bytes, the first 4 bytes of SHA-256 of the 65 bytes before it, which catches typing
/// mistakes. Base32 is case-insensitive when read.
public struct Capability: Sendable, Hashable, CustomStringConvertible {
    /// Every capability string starts with this.
    public static let prefix = "p2p1:"
    /// The format byte of a read capability for a root manifest.
    static let readFormat: UInt8 = 0x01
    static let checksumSize = 4
    static let payloadSize = 1 + ChunkID.size + ChunkKey.size + checksumSize
    /// Characters after the prefix: ⌈69 × 8 / 5⌉.
    public static let encodedLength = (payloadSize * 8 + 4) / 5

    /// The root manifest node.
    public var root: ChunkReference

    public init(root: ChunkReference) {
        self.root = root
    }

    /// Parses a capability string, accepting surrounding whitespace.
    public init(parsing text: String) throws(CapabilityError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.lowercased().hasPrefix(Self.prefix) else {
            if trimmed.lowercased().hasPrefix("p2pnet1:") { throw .joinTokenGiven }
            let foreign = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            throw .foreignPrefix(String(foreign.prefix(16)))
        }
        let body = trimmed.dropFirst(Self.prefix.count)
        guard body.utf8.count == Self.encodedLength else {
            throw .wrongLength(expected: Self.encodedLength, actual: body.utf8.count)
        }
        for (position, character) in body.enumerated() where !character.isBase32Symbol {
            throw .invalidCharacter(character, position: Self.prefix.count + position)
        }
        guard let payload = Base32.decode(body), payload.count == Self.payloadSize else { throw .checksumMismatch }
        let checked = payload[..<(Self.payloadSize - Self.checksumSize)]
        let checksum = Array(payload[(Self.payloadSize - Self.checksumSize)...])
        guard Self.checksum(Array(checked)) == checksum else { throw .checksumMismatch }
        guard payload[0] == Self.readFormat else { throw .unsupportedFormat(payload[0]) }
        let id = ChunkID(bytes: payload[1..<(1 + ChunkID.size)])!
        let key = ChunkKey(bytes: Array(payload[(1 + ChunkID.size)..<(1 + ChunkID.size + ChunkKey.size)]))!
        root = ChunkReference(id: id, key: key)
    }

    /// The capability string, `p2p1:` and 111 base32 characters.
    public var description: String {
        var payload = [Self.readFormat] + root.id.bytes + root.key.bytes
        payload += Self.checksum(payload)
        return Self.prefix + Base32.encode(payload)
    }

    private static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(bytes).prefix(checksumSize))
    }
}

/// Why a string is not a valid capability. Descriptions are single lines for the CLI.
public enum CapabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// The string starts with another scheme.
    case foreignPrefix(String)
    /// A network join token was given where a capability was expected.
    case joinTokenGiven
    case wrongLength(expected: Int, actual: Int)
    case invalidCharacter(Character, position: Int)
    /// A character was mistyped or the string was altered.
    case checksumMismatch
    case unsupportedFormat(UInt8)

    public var description: String {
        switch self {
        case .empty: "capability is empty"
        case .foreignPrefix(let prefix):
            prefix.isEmpty
                ? "not a capability: it must start with \(Capability.prefix)"
                : "not a capability: it starts with \"\(prefix):\" instead of \(Capability.prefix)"
        case .joinTokenGiven: "this is a network join token (p2pnet1:), not a capability (p2p1:)"
        case .wrongLength(let expected, let actual):
            "capability has \(actual) characters after \(Capability.prefix), expected \(expected) (truncated or extended?)"
        case .invalidCharacter(let character, let position):
            "capability has an invalid character \"\(character)\" at position \(position)"
        case .checksumMismatch: "capability checksum does not match: it was mistyped or altered"
        case .unsupportedFormat(let format): "capability format \(format) is not supported by this version"
        }
    }
}

extension Character {
    fileprivate var isBase32Symbol: Bool {
        guard let ascii = asciiValue else { return false }
        return (ascii >= 97 && ascii <= 122) || (ascii >= 65 && ascii <= 90) || (ascii >= 50 && ascii <= 55)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        let first = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
        let last = scalars.lastIndex { !$0.properties.isWhitespace }
        guard let last else { return Substring() }
        return Substring(scalars[first...last])
    }
}
