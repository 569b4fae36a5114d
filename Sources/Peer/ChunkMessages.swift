import ChunkStore
import Codecs
import Content
import Foundation
import NIOCore
import Transport

/// Payloads of the chunk RPCs (docs/protocol.md, methods 0x02xx). Every field is bounded
/// and validated; a malformed payload is a typed `.badRequest`, never a crash.
enum ChunkMessages {
    /// Largest chunk accepted from the network: FastCDC's maximum at the largest average
    /// size we allow (4 × 1 MiB) plus the AEAD tag, with room for manifest nodes.
    static let maximumChunkSize = 4 * 1024 * 1024 + 64
    static let maximumBatch = 4096

    /// Most leases one store carries (one per owner).
    static let maximumLeases = 16
    /// The lifetime that stands for "never ends" (a pin).
    static let neverEnds = UInt32.max

    /// store: `id (32) | flags (1: bit 0 hinted, bit 1 leased) | [intended NodeID (32)] |
    /// [count (u8) | (owner (32) | lifetime (u32 s))*] | bytes`. A lease travels as the
    /// seconds it has left, so that the holder dates it on its own clock: an owner whose
    /// clock is weeks behind still gives its chunks a month.
    static func store(
        id: ChunkID, bytes: [UInt8], hintFor intended: [UInt8]? = nil, leases: [ChunkLease] = [], now: Date = Date()
    ) -> ByteBuffer {
        let live = liveLeases(leases, now: now)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(32 + 34 + live.count * 36 + bytes.count)
        buffer.writeBytes(id.bytes)
        buffer.writeInteger(UInt8(intended == nil ? 0 : 1) | UInt8(live.isEmpty ? 0 : 2))
        if let intended { buffer.writeBytes(intended) }
        if !live.isEmpty {
            buffer.writeInteger(UInt8(live.count))
            for (owner, lifetime) in live {
                buffer.writeBytes(owner)
                buffer.writeInteger(lifetime)
            }
        }
        buffer.writeBytes(bytes)
        return buffer
    }

    /// The leases worth sending, latest first (at most `maximumLeases`), as lifetimes from `now`;
    /// ended ones are left out.
    private static func liveLeases(_ leases: [ChunkLease], now: Date) -> [(Data, UInt32)] {
        leases.sorted { $0.expiry > $1.expiry }.compactMap { lease -> (Data, UInt32)? in
            if lease.expiry >= ChunkLease.never { return (lease.owner, neverEnds) }
            let left = lease.expiry.timeIntervalSince(now)
            guard left >= 1 else { return nil }
            return (lease.owner, UInt32(min(left, Double(neverEnds - 1))))
        }
        .prefix(maximumLeases).map { $0 }
    }

    static func parseStore(
        _ payload: ByteBuffer, now: Date = Date()
    ) throws(ChunkMessageError) -> (id: ChunkID, bytes: [UInt8], hintFor: [UInt8]?, leases: [ChunkLease]) {
        var payload = payload
        guard let idBytes = payload.readBytes(length: 32), let id = ChunkID(bytes: idBytes),
              let flags = payload.readInteger(as: UInt8.self) else { throw .malformed("store: truncated header") }
        guard flags & ~3 == 0 else { throw .malformed("store: unknown flags \(flags)") }
        var intended: [UInt8]?
        if flags & 1 != 0 {
            guard let target = payload.readBytes(length: 32) else { throw .malformed("store: truncated hint") }
            intended = target
        }
        var leases: [ChunkLease] = []
        if flags & 2 != 0 {
            guard let count = payload.readInteger(as: UInt8.self), (1...maximumLeases).contains(Int(count)) else {
                throw .malformed("store: between 1 and \(maximumLeases) leases")
            }
            leases = try (0..<Int(count)).map { _ throws(ChunkMessageError) in try readLease(from: &payload, "store", now: now) }
        }
        guard payload.readableBytes <= maximumChunkSize else { throw .malformed("store: chunk of \(payload.readableBytes) bytes is too large") }
        return (id, payload.readBytes(length: payload.readableBytes) ?? [], intended, leases)
    }

    /// renewLeases: `owner (32) | lifetime (u32 s) | count (u16, ≤ 4096) | ids`; answer: one
    /// byte per id, 1 when held (and now leased).
    static func renewLeases(owner: Data, lifetime: TimeInterval, ids: [ChunkID]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(38 + ids.count * 32)
        buffer.writeBytes(owner)
        buffer.writeInteger(UInt32(max(0, min(lifetime, Double(neverEnds - 1)))))
        writeIDs(ids, to: &buffer)
        return buffer
    }

    static func parseRenewLeases(_ payload: ByteBuffer, now: Date = Date()) throws(ChunkMessageError) -> (lease: ChunkLease, ids: [ChunkID]) {
        var payload = payload
        let lease = try readLease(from: &payload, "renew", now: now)
        return (lease, try readIDs(from: &payload, "renew"))
    }

    /// releaseLeases: `owner (32) | count (u16, ≤ 4096) | ids`; answer: the number of leases
    /// ended (u32). Accepted only from the owner itself.
    static func releaseLeases(owner: Data, ids: [ChunkID]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(34 + ids.count * 32)
        buffer.writeBytes(owner)
        writeIDs(ids, to: &buffer)
        return buffer
    }

    static func parseReleaseLeases(_ payload: ByteBuffer) throws(ChunkMessageError) -> (owner: Data, ids: [ChunkID]) {
        var payload = payload
        guard let owner = payload.readBytes(length: 32) else { throw .malformed("release: truncated owner") }
        return (Data(owner), try readIDs(from: &payload, "release"))
    }

    /// One `owner | lifetime` pair, dated from `now` on the reader's clock.
    private static func readLease(from payload: inout ByteBuffer, _ message: String, now: Date) throws(ChunkMessageError) -> ChunkLease {
        guard let owner = payload.readBytes(length: 32), let lifetime = payload.readInteger(as: UInt32.self) else {
            throw .malformed("\(message): truncated lease")
        }
        let expiry = lifetime == neverEnds ? ChunkLease.never : now.addingTimeInterval(TimeInterval(lifetime))
        return ChunkLease(owner: Data(owner), expiry: expiry)!
    }

    private static func writeIDs(_ ids: [ChunkID], to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(ids.count))
        for id in ids { buffer.writeBytes(id.bytes) }
    }

    private static func readIDs(from payload: inout ByteBuffer, _ message: String) throws(ChunkMessageError) -> [ChunkID] {
        guard let count = payload.readInteger(as: UInt16.self), Int(count) <= maximumBatch,
              payload.readableBytes == Int(count) * 32 else { throw .malformed("\(message): count does not match the ids") }
        return (0..<Int(count)).compactMap { _ in payload.readBytes(length: 32).flatMap { ChunkID(bytes: $0) } }
    }

    /// fetch: `id (32)`
    static func fetch(id: ChunkID) -> ByteBuffer { ByteBuffer(bytes: id.bytes) }

    static func parseFetch(_ payload: ByteBuffer) throws(ChunkMessageError) -> ChunkID {
        guard payload.readableBytes == 32, let id = ChunkID(bytes: payload.readableBytesView) else { throw .malformed("fetch: expected a 32-byte id") }
        return id
    }

    /// has: `count (u16) | ids`; answer: one byte per id, 1 when held.
    static func has(ids: [ChunkID]) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeIDs(ids, to: &buffer)
        return buffer
    }

    static func parseHas(_ payload: ByteBuffer) throws(ChunkMessageError) -> [ChunkID] {
        var payload = payload
        return try readIDs(from: &payload, "has")
    }
}

struct ChunkMessageError: Error, CustomStringConvertible {
    let reason: String
    static func malformed(_ reason: String) -> ChunkMessageError { ChunkMessageError(reason: reason) }
    var description: String { reason }
}

/// Runs a payload parser; a malformed payload is the caller's fault (RPC error 400).
func parse<T>(_ body: () throws(ChunkMessageError) -> T) throws -> T {
    do { return try body() } catch { throw RPCError.badRequest(error.reason) }
}
