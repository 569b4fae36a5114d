import Codecs
import OpenSSLKit

/// A small mutable value in the DHT: the latest of a signer's versions under a key.
///
/// Whoever holds the signer's Ed25519 key may publish a higher `sequence`, and only a
/// signer the key's owner endorsed may publish under it at all (`RecordEndorsement`);
/// peers keep, per (key, signer), only the valid record with the highest sequence. The signature covers a
/// versioned, domain-separated message (``signedMessage``), so it cannot be replayed as any
/// other kind of signed data. The payload is opaque to peers (the writer encrypts it).
public struct SignedRecord: Sendable, Hashable {
    /// Largest payload accepted anywhere: signing, decoding, storing.
    public static let maxPayloadSize = 64 * 1024
    /// Size of `key` and of `signer`.
    public static let keySize = 32
    /// Size of `signature`.
    public static let signatureSize = 64
    /// Version byte that starts ``encoded()``.
    public static let formatVersion: UInt8 = 2
    /// Longest valid ``encoded()`` form: version, key, signer, sequence, payload length, payload,
    /// signature, owner, endorsement.
    public static let maximumEncodedSize = 1 + 32 + 32 + 8 + 4 + maxPayloadSize + 64 + 32 + 64
    /// Prefix of every signed message; bump the version with any change of the message.
    static let domain = Array("p2p-record-v1".utf8)

    /// 32 bytes: the record's place on the ring (placement uses it like a chunk id).
    public var key: [UInt8]
    /// The signer's raw 32-byte Ed25519 public key.
    public var signer: [UInt8]
    /// Strictly increasing per (key, signer).
    public var sequence: UInt64
    /// Opaque bytes, at most ``maxPayloadSize``.
    public var payload: [UInt8]
    /// 64-byte Ed25519 signature over ``signedMessage``.
    public var signature: [UInt8]
    /// The key owner's permission for this signer to write under the key.
    public var endorsement: RecordEndorsement

    /// A record as given; nothing is checked (see ``isValid``).
    public init(
        key: [UInt8], signer: [UInt8], sequence: UInt64, payload: [UInt8], signature: [UInt8], endorsement: RecordEndorsement
    ) {
        self.key = key
        self.signer = signer
        self.sequence = sequence
        self.payload = payload
        self.signature = signature
        self.endorsement = endorsement
    }

    /// Signs `payload` as version `sequence` of the record under `key`, by `privateKey`'s
    /// holder, with the key owner's `endorsement` of that signer.
    public static func sign(
        key: [UInt8], sequence: UInt64, payload: [UInt8], with privateKey: Ed25519PrivateKey, endorsement: RecordEndorsement
    ) throws -> SignedRecord {
        guard key.count == keySize else { throw SignedRecordError.wrongSize(field: "key", expected: keySize, actual: key.count) }
        guard payload.count <= maxPayloadSize else { throw SignedRecordError.payloadTooLarge(size: payload.count, limit: maxPayloadSize) }
        var record = SignedRecord(
            key: key, signer: privateKey.publicKey.rawRepresentation, sequence: sequence, payload: payload, signature: [],
            endorsement: endorsement)
        let message = record.signedMessage
        record.signature = try privateKey.signature(for: message)
        VerifiedSignatures.shared.remember(record.signature, for: message, by: privateKey.publicKey)
        return record
    }

    /// Signs under the key that `owner` owns, endorsing the signer itself (a folder's
    /// device holds both keys).
    public static func sign(
        sequence: UInt64, payload: [UInt8], with privateKey: Ed25519PrivateKey, owner: Ed25519PrivateKey
    ) throws -> SignedRecord {
        let endorsement = try RecordEndorsement.endorse(signer: privateKey.publicKey.rawRepresentation, by: owner)
        return try sign(
            key: RecordEndorsement.key(owner: endorsement.owner), sequence: sequence, payload: payload, with: privateKey,
            endorsement: endorsement)
    }

    /// `"p2p-record-v1" || key || signer || sequence (u64 big-endian) || payload`: what the signature covers.
    public var signedMessage: [UInt8] {
        var writer = ByteWriter(capacity: Self.domain.count + 72 + payload.count)
        writer.write(raw: Self.domain)
        writer.write(raw: key)
        writer.write(raw: signer)
        writer.write(sequence)
        writer.write(raw: payload)
        return writer.bytes
    }

    /// Why the record is not valid, or nil when every size is right and the signature verifies.
    public var invalidity: String? {
        guard key.count == Self.keySize else { return "key of \(key.count) bytes, expected \(Self.keySize)" }
        guard signer.count == Self.keySize else { return "signer of \(signer.count) bytes, expected \(Self.keySize)" }
        guard signature.count == Self.signatureSize else { return "signature of \(signature.count) bytes, expected \(Self.signatureSize)" }
        guard payload.count <= Self.maxPayloadSize else { return "payload of \(payload.count) bytes, limit \(Self.maxPayloadSize)" }
        guard let publicKey = try? Ed25519PublicKey(rawRepresentation: signer),
              VerifiedSignatures.shared.isValid(signature, for: signedMessage, by: publicKey) else { return "signature does not verify" }
        return endorsement.invalidity(key: key, signer: signer)
    }

    /// True when every size is right and the signature verifies.
    public var isValid: Bool { invalidity == nil }

    /// `version (1) | key (32) | signer (32) | sequence (u64) | payload length (u32) | payload |
    /// signature (64) | owner (32) | endorsement (64)`.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 1 + 32 + 32 + 8 + 4 + payload.count + 64 + 96)
        writer.write(Self.formatVersion)
        writer.write(raw: key)
        writer.write(raw: signer)
        writer.write(sequence)
        writer.write(lengthPrefixed: payload)
        writer.write(raw: signature)
        writer.write(raw: endorsement.owner)
        writer.write(raw: endorsement.signature)
        return writer.bytes
    }

    /// Decodes ``encoded()``; refuses other versions, oversize payloads, truncation and
    /// trailing bytes. Does not verify the signature (see ``isValid``).
    public init(decoding bytes: [UInt8]) throws(SignedRecordError) {
        guard bytes.count <= Self.maximumEncodedSize else {
            throw .malformed("record of \(bytes.count) bytes exceeds \(Self.maximumEncodedSize)")
        }
        var reader = ByteReader(bytes)
        do {
            let version = try reader.readUInt8()
            guard version == Self.formatVersion else { throw SignedRecordError.unsupportedVersion(version) }
            key = try reader.readBytes(count: Self.keySize)
            signer = try reader.readBytes(count: Self.keySize)
            sequence = try reader.read(UInt64.self)
            payload = try reader.readLengthPrefixed(limit: Self.maxPayloadSize)
            signature = try reader.readBytes(count: Self.signatureSize)
            endorsement = RecordEndorsement(
                owner: try reader.readBytes(count: RecordEndorsement.ownerSize),
                signature: try reader.readBytes(count: RecordEndorsement.signatureSize))
            try reader.expectEnd()
        } catch let error as SignedRecordError {
            throw error
        } catch ByteReaderError.lengthOverLimit(let length, let limit) {
            throw .payloadTooLarge(size: length, limit: limit)
        } catch {
            throw .malformed("\(error)")
        }
    }
}

/// Why a signed record could not be made or decoded.
public enum SignedRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedVersion(UInt8)
    case wrongSize(field: String, expected: Int, actual: Int)
    case payloadTooLarge(size: Int, limit: Int)
    case malformed(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version): "signed record: unsupported format version \(version)"
        case .wrongSize(let field, let expected, let actual): "signed record: \(field) of \(actual) bytes, expected \(expected)"
        case .payloadTooLarge(let size, let limit): "signed record: payload of \(size) bytes exceeds \(limit)"
        case .malformed(let reason): "signed record: \(reason)"
        }
    }
}
