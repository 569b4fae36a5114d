import Codecs
import Content
import NIOCore
import Transport

/// Payloads of the chunk RPCs (docs/protocol.md, methods 0x02xx). Every field is bounded
/// and validated; a malformed payload is a typed `.badRequest`, never a crash.
enum ChunkMessages {
    /// Largest chunk accepted from the network: FastCDC's maximum at the largest average
    /// size we allow (4 × 1 MiB) plus the AEAD tag, with room for manifest nodes.
    static let maximumChunkSize = 4 * 1024 * 1024 + 64
    static let maximumBatch = 4096

    /// store: `id (32) | flag (1: hinted) | [intended NodeID (32)] | bytes`
    static func store(id: ChunkID, bytes: [UInt8], hintFor intended: [UInt8]? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(32 + 33 + bytes.count)
        buffer.writeBytes(id.bytes)
        if let intended {
            buffer.writeInteger(UInt8(1))
            buffer.writeBytes(intended)
        } else {
            buffer.writeInteger(UInt8(0))
        }
        buffer.writeBytes(bytes)
        return buffer
    }

    static func parseStore(_ payload: ByteBuffer) throws(ChunkMessageError) -> (id: ChunkID, bytes: [UInt8], hintFor: [UInt8]?) {
        var payload = payload
        guard let idBytes = payload.readBytes(length: 32), let id = ChunkID(bytes: idBytes),
              let flag = payload.readInteger(as: UInt8.self) else { throw .malformed("store: truncated header") }
        var intended: [UInt8]?
        switch flag {
        case 0: break
        case 1:
            guard let target = payload.readBytes(length: 32) else { throw .malformed("store: truncated hint") }
            intended = target
        default: throw .malformed("store: unknown flag \(flag)")
        }
        guard payload.readableBytes <= maximumChunkSize else { throw .malformed("store: chunk of \(payload.readableBytes) bytes is too large") }
        return (id, payload.readBytes(length: payload.readableBytes) ?? [], intended)
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
        buffer.writeInteger(UInt16(ids.count))
        for id in ids { buffer.writeBytes(id.bytes) }
        return buffer
    }

    static func parseHas(_ payload: ByteBuffer) throws(ChunkMessageError) -> [ChunkID] {
        var payload = payload
        guard let count = payload.readInteger(as: UInt16.self), Int(count) <= maximumBatch,
              payload.readableBytes == Int(count) * 32 else { throw .malformed("has: count does not match the ids") }
        return (0..<Int(count)).compactMap { _ in payload.readBytes(length: 32).flatMap { ChunkID(bytes: $0) } }
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
