import OpenSSLKit
import Records

/// The keys that own the S3 realm's records. They are derived from fixed labels, not from a
/// secret: every admitted peer must be able to serve every bucket, and only admitted peers
/// reach the record store at all (docs/s3.md, "Trust").
enum RealmKeys {
    static func owner(_ label: String) throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(seed: SHA256.hash(Array("p2p-s3-v1 \(label)".utf8)))
    }

    static func recordKey(owner: Ed25519PrivateKey) -> [UInt8] {
        RecordEndorsement.key(owner: owner.publicKey.rawRepresentation)
    }
}
