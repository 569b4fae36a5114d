import Codecs
import NIOCore
import OpenSSLKit
@testable import Peer
import Records
import Testing

/// The signed record and its RPC payloads, without sockets: codec round trips, bounded
/// decoding, and signatures that break under any tampering.
@Suite struct SignedRecordTests {
    static let owner = try! Ed25519PrivateKey(seed: [UInt8](repeating: 0xAB, count: 32))
    static let key = RecordEndorsement.key(owner: owner.publicKey.rawRepresentation)

    static func record(sequence: UInt64 = 7, payload: [UInt8] = Array("folder index".utf8)) throws -> SignedRecord {
        try SignedRecord.sign(sequence: sequence, payload: payload, with: Ed25519PrivateKey(), owner: owner)
    }

    @Test func roundTripsThroughItsEncodedForm() throws {
        for payload in [[], Array("x".utf8), [UInt8](repeating: 0x5A, count: SignedRecord.maxPayloadSize)] {
            let record = try Self.record(payload: payload)
            #expect(record.isValid)
            let decoded = try SignedRecord(decoding: record.encoded())
            #expect(decoded == record)
            #expect(decoded.isValid)
            #expect(record.encoded().first == SignedRecord.formatVersion)
        }
    }

    @Test func signsTheDomainSeparatedMessage() throws {
        let key = try Ed25519PrivateKey()
        let record = try SignedRecord.sign(sequence: 0x0102_0304_0506_0708, payload: [9, 9], with: key, owner: Self.owner)
        #expect(record.signer == key.publicKey.rawRepresentation)
        let expected = Array("p2p-record-v1".utf8) + Self.key + record.signer + [1, 2, 3, 4, 5, 6, 7, 8] + [9, 9]
        #expect(record.signedMessage == expected)
        #expect(key.publicKey.isValidSignature(record.signature, for: expected))
    }

    @Test func anyTamperingMakesItInvalid() throws {
        let record = try Self.record()
        var tampered: [SignedRecord] = []
        var copy = record
        copy.payload[0] ^= 1
        tampered.append(copy)
        copy = record
        copy.sequence += 1
        tampered.append(copy)
        copy = record
        copy.key[31] ^= 1
        tampered.append(copy)
        copy = record
        copy.signer = try Ed25519PrivateKey().publicKey.rawRepresentation
        tampered.append(copy)
        copy = record
        copy.signature[10] ^= 0x80
        tampered.append(copy)
        copy = record
        copy.signature.removeLast()
        tampered.append(copy)
        copy = record
        copy.key.removeLast()
        tampered.append(copy)
        // A valid signature from a signer the key's owner never endorsed, or an owner
        // whose key this is not.
        let stranger = try Ed25519PrivateKey()
        let squatter = try SignedRecord.sign(
            key: Self.key, sequence: 7, payload: record.payload, with: Ed25519PrivateKey(),
            endorsement: RecordEndorsement.endorse(signer: record.signer, by: stranger))
        tampered.append(squatter)
        copy = record
        copy.endorsement.signature[3] ^= 1
        tampered.append(copy)
        copy = record
        copy.endorsement = try RecordEndorsement.endorse(signer: record.signer, by: stranger)
        tampered.append(copy)
        for bad in tampered {
            #expect(!bad.isValid)
            #expect(bad.invalidity != nil)
        }
    }

    @Test func refusesToSignOversizeOrBadlyKeyedRecords() throws {
        let key = try Ed25519PrivateKey()
        #expect(throws: SignedRecordError.payloadTooLarge(size: SignedRecord.maxPayloadSize + 1, limit: SignedRecord.maxPayloadSize)) {
            try SignedRecord.sign(sequence: 1, payload: [UInt8](repeating: 0, count: SignedRecord.maxPayloadSize + 1), with: key, owner: Self.owner)
        }
        #expect(throws: SignedRecordError.wrongSize(field: "key", expected: 32, actual: 31)) {
            try SignedRecord.sign(key: Array(Self.key.dropLast()), sequence: 1, payload: [], with: key, endorsement: RecordEndorsement.endorse(signer: key.publicKey.rawRepresentation, by: Self.owner))
        }
    }

    @Test func decodingRefusesBadInputWithTypedErrors() throws {
        let encoded = try Self.record().encoded()
        // Every truncation, trailing garbage, another version.
        for length in 0..<encoded.count {
            #expect(throws: SignedRecordError.self) { try SignedRecord(decoding: Array(encoded.prefix(length))) }
        }
        #expect(throws: SignedRecordError.malformed(ByteReaderError.trailingBytes(count: 1).description)) {
            try SignedRecord(decoding: encoded + [0])
        }
        var otherVersion = encoded
        otherVersion[0] = 1
        #expect(throws: SignedRecordError.unsupportedVersion(1)) { try SignedRecord(decoding: otherVersion) }
        // A payload length over the limit is refused before reading it.
        var writer = ByteWriter()
        writer.write(SignedRecord.formatVersion)
        writer.write(raw: Self.key + Self.key)
        writer.write(UInt64(1))
        writer.write(UInt32(SignedRecord.maxPayloadSize + 1))
        #expect(throws: SignedRecordError.payloadTooLarge(size: SignedRecord.maxPayloadSize + 1, limit: SignedRecord.maxPayloadSize)) {
            try SignedRecord(decoding: writer.bytes)
        }
        // Whole input over the bound: refused before parsing.
        #expect(throws: SignedRecordError.self) {
            try SignedRecord(decoding: [UInt8](repeating: 1, count: SignedRecord.maximumEncodedSize + 1))
        }
    }

    @Test func recordMessagesRoundTripAndRefuseMalformedPayloads() throws {
        let records = [try Self.record(sequence: 1), try Self.record(sequence: 2)]
        let page = try RecordMessages.parsePage(RecordMessages.page(records, more: true))
        #expect(page.records == records && page.more)
        let fetch = try RecordMessages.parseFetch(RecordMessages.fetch(key: Self.key, after: records[0].signer))
        #expect(fetch.key == Self.key && fetch.after == records[0].signer)
        #expect(try RecordMessages.parseFetch(RecordMessages.fetch(key: Self.key, after: nil)).after == nil)
        let subscribe = try RecordMessages.parseSubscribe(RecordMessages.subscribe(key: Self.key, leaseSeconds: 100_000))
        #expect(subscribe.key == Self.key && subscribe.leaseSeconds == RecordMessages.maximumLeaseSeconds)
        #expect(try RecordMessages.parseNotify(RecordMessages.notify(key: Self.key)) == Self.key)
        #expect(try RecordMessages.parseStore(RecordMessages.store(records[0])) == records[0])

        let bad: [(String, () throws -> Void)] = [
            ("short fetch", { _ = try RecordMessages.parseFetch(ByteBuffer(bytes: [1] + Self.key)) }),
            ("bad flag", { _ = try RecordMessages.parseFetch(ByteBuffer(bytes: [1] + Self.key + [2])) }),
            ("bad version", { _ = try RecordMessages.parseNotify(ByteBuffer(bytes: [9] + Self.key)) }),
            ("long notify", { _ = try RecordMessages.parseNotify(ByteBuffer(bytes: [1] + Self.key + [0])) }),
            ("huge store", { _ = try RecordMessages.parseStore(ByteBuffer(bytes: [UInt8](repeating: 1, count: SignedRecord.maximumEncodedSize + 1))) }),
            ("page count lies", { _ = try RecordMessages.parsePage(ByteBuffer(bytes: [1, 0, 0, 5])) }),
            ("page over count limit", { _ = try RecordMessages.parsePage(ByteBuffer(bytes: [1, 0, 0xFF, 0xFF])) }),
        ]
        for (name, parse) in bad {
            #expect(throws: ChunkMessageError.self, "\(name)") { try parse() }
        }
    }
}
