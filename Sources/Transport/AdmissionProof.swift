import OpenSSLKit

/// The admission proof of DESIGN.md:
/// `HMAC-SHA256(secret, "p2pstore/admit/v1" || tls_exporter(32) || NodeID of the sender)`.
///
/// On the wire: `"P2PA"`, a version byte (1), then the 32-byte MAC: 37 bytes. The
/// connecting side sends its proof right after the TLS handshake, with its current key;
/// the accepting side checks it against its keys (`AdmissionKeyring`) and answers with a
/// proof made with the key that matched. When that is an older key than its own, the
/// answer uses the context `"p2pstore/admit/v1/stale"`: the caller learns it is behind.
public enum AdmissionProof {
    static let magic: [UInt8] = Array("P2PA".utf8)
    static let version: UInt8 = 1
    static let context: [UInt8] = Array("p2pstore/admit/v1".utf8)
    static let staleContext: [UInt8] = Array("p2pstore/admit/v1/stale".utf8)
    public static let wireSize = 4 + 1 + HMACSHA256.size

    /// The proof that `sender` holds `secret`, bound to the session whose exporter is given.
    public static func mac(secret: [UInt8], exporter: [UInt8], sender: NodeID, stale: Bool = false) -> [UInt8] {
        HMACSHA256.authenticate(key: secret, message: (stale ? staleContext : context) + exporter + sender.bytes)
    }

    public static func encode(secret: [UInt8], exporter: [UInt8], sender: NodeID, stale: Bool = false) -> [UInt8] {
        magic + [version] + mac(secret: secret, exporter: exporter, sender: sender, stale: stale)
    }

    /// Checks a received proof; returns the reason it is refused, or nil when it is valid.
    public static func refusal(of message: [UInt8], secret: [UInt8], exporter: [UInt8], sender: NodeID, stale: Bool = false) -> String? {
        guard message.count == wireSize else { return "proof has \(message.count) bytes, expected \(wireSize)" }
        guard Array(message[0..<4]) == magic else { return "not an admission proof (bad magic)" }
        guard message[4] == version else { return "unsupported admission version \(message[4])" }
        let expected = mac(secret: secret, exporter: exporter, sender: sender, stale: stale)
        guard HMACSHA256.isEqual(Array(message[5...]), expected) else { return "wrong network secret" }
        return nil
    }
}
