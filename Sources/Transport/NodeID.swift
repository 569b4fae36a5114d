import Codecs
import OpenSSLKit

/// A peer's identity: SHA-256 of the DER SubjectPublicKeyInfo of its certificate.
///
/// Text form: the 32 bytes in lowercase base32 without padding (52 characters).
/// `short` is the first 12 characters, for tables and logs (60 bits: enough to tell
/// peers of one network apart, never used to authenticate).
public struct NodeID: Identified256, CustomStringConvertible {
    public static let size = Identifier256.byteCount

    public let identifier: Identifier256

    public init(_ identifier: Identifier256) {
        self.identifier = identifier
    }

    /// Parses the 52-character base32 form.
    public init?(_ text: String) {
        guard text.utf8.count == 52, let bytes = Base32.decode(text), let id = Identifier256(bytes: bytes) else { return nil }
        self.identifier = id
    }

    /// The identity of the peer holding `certificate`'s key.
    public init(certificate: Certificate) throws(OpenSSLError) {
        identifier = Identifier256(digest: SHA256.hash(try certificate.subjectPublicKeyInfoDER()))
    }

    public var description: String { Base32.encode(bytes) }
    public var short: String { String(description.prefix(12)) }
}
