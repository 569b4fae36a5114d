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
    static let payloadSize = 1 + ChunkID.size + ChunkKey.size
    /// Characters after the prefix: ⌈69 × 8 / 5⌉.
    public static let encodedLength = CheckedBase32.encodedLength(payloadSize: payloadSize)

    /// The root manifest node.
    public var root: ChunkReference

    public init(root: ChunkReference) {
        self.root = root
    }

    /// Parses a capability string, accepting surrounding whitespace.
    public init(parsing text: String) throws(CapabilityError) {
        let trimmed = CheckedBase32.trimmed(text)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.lowercased().hasPrefix(Self.prefix) else {
            if trimmed.lowercased().hasPrefix("p2pnet1:") { throw .joinTokenGiven }
            let foreign = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            throw .foreignPrefix(String(foreign.prefix(16)))
        }
        let payload: [UInt8]
        do {
            payload = try CheckedBase32.decode(trimmed.dropFirst(Self.prefix.count), prefixLength: Self.prefix.count, payloadSize: Self.payloadSize)
        } catch {
            switch error {
            case .wrongLength(let expected, let actual): throw .wrongLength(expected: expected, actual: actual)
            case .invalidCharacter(let character, let position): throw .invalidCharacter(character, position: position)
            case .checksumMismatch: throw .checksumMismatch
            }
        }
        guard payload[0] == Self.readFormat else { throw .unsupportedFormat(payload[0]) }
        let id = ChunkID(bytes: payload[1..<(1 + ChunkID.size)])!
        let key = ChunkKey(bytes: Array(payload[(1 + ChunkID.size)..<(1 + ChunkID.size + ChunkKey.size)]))!
        root = ChunkReference(id: id, key: key)
    }

    /// The capability string, `p2p1:` and 111 base32 characters.
    public var description: String {
        CheckedBase32.encode(prefix: Self.prefix, payload: [Self.readFormat] + root.id.bytes + root.key.bytes)
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
