import Codecs
import OpenSSLKit

/// A small mutable record in the network: the latest of a signer's versions under a key.
/// Holders keep, per key and signer, the valid record with the highest sequence, so a
/// record can be replaced only by its signer and never rolled back.
public struct SignedRecord: Sendable, Hashable {
    public static let maxPayloadSize = 64 * 1024
    static let domain = Array("p2p-record-v1".utf8)
    static let formatVersion: UInt8 = 1

    /// 32 bytes: the record's place on the ring.
    public var key: [UInt8]
    /// The signer's raw Ed25519 public key (32 bytes).
    public var signer: [UInt8]
    /// Strictly increasing per key and signer.
    public var sequence: UInt64
    /// Opaque to holders (writers encrypt it).
    public var payload: [UInt8]
    /// Ed25519 over `"p2p-record-v1" || key || signer || sequence (big-endian) || payload`.
    public var signature: [UInt8]

    public init(key: [UInt8], signer: [UInt8], sequence: UInt64, payload: [UInt8], signature: [UInt8]) {
        self.key = key
        self.signer = signer
        self.sequence = sequence
        self.payload = payload
        self.signature = signature
    }

    public static func sign(key: [UInt8], sequence: UInt64, payload: [UInt8], with privateKey: Ed25519PrivateKey) throws -> SignedRecord {
        let signer = privateKey.publicKey.rawRepresentation
        let signature = try privateKey.signature(for: message(key: key, signer: signer, sequence: sequence, payload: payload))
        return SignedRecord(key: key, signer: signer, sequence: sequence, payload: payload, signature: signature)
    }

    /// Sizes right and the signature verifies.
    public var isValid: Bool {
        guard key.count == 32, signer.count == Ed25519PublicKey.size, signature.count == Ed25519PublicKey.signatureSize,
            payload.count <= Self.maxPayloadSize, let publicKey = try? Ed25519PublicKey(rawRepresentation: signer)
        else { return false }
        return publicKey.isValidSignature(signature, for: Self.message(key: key, signer: signer, sequence: sequence, payload: payload))
    }

    private static func message(key: [UInt8], signer: [UInt8], sequence: UInt64, payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: domain.count + 72 + payload.count)
        writer.write(raw: domain)
        writer.write(raw: key)
        writer.write(raw: signer)
        writer.write(sequence)
        writer.write(raw: payload)
        return writer.bytes
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 140 + payload.count)
        writer.write(Self.formatVersion)
        writer.write(raw: key)
        writer.write(raw: signer)
        writer.write(sequence)
        writer.write(lengthPrefixed: payload)
        writer.write(raw: signature)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(ByteReaderError) {
        var reader = ByteReader(bytes)
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else { throw .lengthOverLimit(length: Int(version), limit: Int(Self.formatVersion)) }
        key = try reader.readBytes(count: 32)
        signer = try reader.readBytes(count: Ed25519PublicKey.size)
        sequence = try reader.read(UInt64.self)
        payload = try reader.readLengthPrefixed(limit: Self.maxPayloadSize)
        signature = try reader.readBytes(count: Ed25519PublicKey.signatureSize)
        try reader.expectEnd()
    }
}
