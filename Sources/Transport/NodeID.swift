import Codecs
import OpenSSLKit

/// A peer's identity: SHA-256 of the DER SubjectPublicKeyInfo of its certificate.
///
/// Text form: the 32 bytes in lowercase base32 without padding (52 characters).
/// `short` is the first 12 characters, for tables and logs (60 bits: enough to tell
/// peers of one network apart, never used to authenticate).
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let size = 32

    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        self.bytes = bytes
    }

    /// Parses the 52-character base32 form.
    public init?(_ text: String) {
        guard text.utf8.count == 52, let bytes = Base32.decode(text), bytes.count == Self.size else { return nil }
        self.bytes = bytes
    }

    /// The NodeID of whoever holds the key of `certificate`.
    public init(certificate: Certificate) throws(OpenSSLError) {
        bytes = SHA256.hash(try certificate.subjectPublicKeyInfoDER())
    }

    public var description: String { Base32.encode(bytes) }
    public var short: String { String(description.prefix(12)) }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
