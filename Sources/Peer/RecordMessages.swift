import Codecs
import NIOCore
import Records

/// Payloads of the record RPCs (docs/protocol.md, methods 0x03xx). Each starts with a
/// version byte; every field is bounded and validated; a malformed payload is a typed
/// `.badRequest`, never a crash.
enum RecordMessages {
    static let version: UInt8 = 1
    /// Record bytes one fetch answer carries at most; more signers take more pages.
    static let pageBudget = 4 * 1024 * 1024
    /// Longest lease a holder grants; longer requests are cut to it.
    static let maximumLeaseSeconds: UInt32 = 300

    /// store: `SignedRecord.encoded()`; answer: `version (1) | kept sequence (u64)`.
    static func store(_ record: SignedRecord) -> ByteBuffer { ByteBuffer(bytes: record.encoded()) }

    static func parseStore(_ payload: ByteBuffer) throws(ChunkMessageError) -> SignedRecord {
        let encoded = try bytes(payload, limit: SignedRecord.maximumEncodedSize, "store record")
        do {
            return try SignedRecord(decoding: encoded)
        } catch {
            throw .malformed(error.description)
        }
    }

    static func stored(sequence: UInt64) -> ByteBuffer {
        var writer = ByteWriter(capacity: 9)
        writer.write(version)
        writer.write(sequence)
        return ByteBuffer(bytes: writer.bytes)
    }

    static func parseStored(_ payload: ByteBuffer) throws(ChunkMessageError) -> UInt64 {
        var reader = ByteReader(try bytes(payload, limit: 9, "stored"))
        return try decode("stored") { () throws -> UInt64 in
            try expectVersion(reader.readUInt8())
            let sequence = try reader.read(UInt64.self)
            try reader.expectEnd()
            return sequence
        }
    }

    /// fetch: `version (1) | key (32) | flag (1) | [after signer (32) if flag = 1]`.
    static func fetch(key: [UInt8], after signer: [UInt8]?) -> ByteBuffer {
        var writer = ByteWriter(capacity: 66)
        writer.write(version)
        writer.write(raw: key)
        writer.write(UInt8(signer == nil ? 0 : 1))
        if let signer { writer.write(raw: signer) }
        return ByteBuffer(bytes: writer.bytes)
    }

    static func parseFetch(_ payload: ByteBuffer) throws(ChunkMessageError) -> (key: [UInt8], after: [UInt8]?) {
        var reader = ByteReader(try bytes(payload, limit: 66, "fetch records"))
        return try decode("fetch records") { () throws -> ([UInt8], [UInt8]?) in
            try expectVersion(reader.readUInt8())
            let key = try reader.readBytes(count: SignedRecord.keySize)
            let flag = try reader.readUInt8()
            guard flag <= 1 else { throw ChunkMessageError.malformed("fetch records: unknown flag \(flag)") }
            let after = flag == 1 ? try reader.readBytes(count: SignedRecord.keySize) : nil
            try reader.expectEnd()
            return (key, after)
        }
    }

    /// fetch answer: `version (1) | more (1) | count (u16) | count × (length (u32) | SignedRecord.encoded())`.
    static func page(_ records: [SignedRecord], more: Bool) -> ByteBuffer {
        var writer = ByteWriter(capacity: records.reduce(4) { $0 + 4 + SignedRecord.maximumEncodedSize - SignedRecord.maxPayloadSize + $1.payload.count })
        writer.write(version)
        writer.write(UInt8(more ? 1 : 0))
        writer.write(UInt16(records.count))
        for record in records { writer.write(lengthPrefixed: record.encoded()) }
        return ByteBuffer(bytes: writer.bytes)
    }

    /// Largest fetch answer: a page fills up to the budget, or holds one record if that is larger.
    static let maximumPageSize = 4 + pageBudget + SignedRecord.maximumEncodedSize + 4 * maximumPageCount
    /// Records one page holds at most.
    static let maximumPageCount = 1024

    /// Decodes a fetch answer; a record that does not decode fails the whole page.
    static func parsePage(_ payload: ByteBuffer) throws(ChunkMessageError) -> (records: [SignedRecord], more: Bool) {
        var reader = ByteReader(try bytes(payload, limit: maximumPageSize, "records page"))
        return try decode("records page") { () throws -> ([SignedRecord], Bool) in
            try expectVersion(reader.readUInt8())
            let more = try reader.readUInt8()
            guard more <= 1 else { throw ChunkMessageError.malformed("records page: bad flag \(more)") }
            let count = Int(try reader.read(UInt16.self))
            guard count <= maximumPageCount else { throw ChunkMessageError.malformed("records page: \(count) records exceeds \(maximumPageCount)") }
            var records: [SignedRecord] = []
            for _ in 0..<count {
                records.append(try SignedRecord(decoding: reader.readLengthPrefixed(limit: SignedRecord.maximumEncodedSize)))
            }
            try reader.expectEnd()
            return (records, more == 1)
        }
    }

    /// subscribe: `version (1) | key (32) | lease seconds (u32; 0 cancels)`; answer empty.
    static func subscribe(key: [UInt8], leaseSeconds: UInt32) -> ByteBuffer {
        var writer = ByteWriter(capacity: 37)
        writer.write(version)
        writer.write(raw: key)
        writer.write(leaseSeconds)
        return ByteBuffer(bytes: writer.bytes)
    }

    static func parseSubscribe(_ payload: ByteBuffer) throws(ChunkMessageError) -> (key: [UInt8], leaseSeconds: UInt32) {
        var reader = ByteReader(try bytes(payload, limit: 37, "subscribe"))
        return try decode("subscribe") { () throws -> ([UInt8], UInt32) in
            try expectVersion(reader.readUInt8())
            let key = try reader.readBytes(count: SignedRecord.keySize)
            let seconds = try reader.read(UInt32.self)
            try reader.expectEnd()
            return (key, min(seconds, maximumLeaseSeconds))
        }
    }

    /// notify: `version (1) | key (32)`; answer empty, or 404 when the callee no longer subscribes.
    static func notify(key: [UInt8]) -> ByteBuffer {
        var writer = ByteWriter(capacity: 33)
        writer.write(version)
        writer.write(raw: key)
        return ByteBuffer(bytes: writer.bytes)
    }

    static func parseNotify(_ payload: ByteBuffer) throws(ChunkMessageError) -> [UInt8] {
        var reader = ByteReader(try bytes(payload, limit: 33, "notify"))
        return try decode("notify") { () throws -> [UInt8] in
            try expectVersion(reader.readUInt8())
            let key = try reader.readBytes(count: SignedRecord.keySize)
            try reader.expectEnd()
            return key
        }
    }

    /// The payload's bytes, refused before copying when longer than `limit`.
    private static func bytes(_ payload: ByteBuffer, limit: Int, _ what: String) throws(ChunkMessageError) -> [UInt8] {
        guard payload.readableBytes <= limit else { throw .malformed("\(what): \(payload.readableBytes) bytes exceeds \(limit)") }
        return payload.getBytes(at: payload.readerIndex, length: payload.readableBytes) ?? []
    }

    private static func expectVersion(_ found: UInt8) throws {
        guard found == version else { throw ChunkMessageError.malformed("unsupported record message version \(found)") }
    }

    /// Runs a decoder, reporting every failure as a `ChunkMessageError` naming the message.
    private static func decode<T>(_ what: String, _ body: () throws -> T) throws(ChunkMessageError) -> T {
        do {
            return try body()
        } catch let error as ChunkMessageError {
            throw error
        } catch {
            throw .malformed("\(what): \(error)")
        }
    }
}
