import Content
import Logging
import Membership
import NIOCore
import Synchronization
import Transport

/// Answers the requests of other peers: chunks from the local store, membership packets
/// to the membership driver, record requests to the record service.
struct PeerService: RPCService {
    let local: LocalChunks
    let placement: Placement
    let membership: MembershipDriver
    let records: RecordService
    let advertise: HostPort
    let metrics: NodeMetrics
    let logger: Logger

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        do {
            let answer = try await answer(request)
            metrics.recordRPC(method: request.method, succeeded: true)
            return answer
        } catch {
            metrics.recordRPC(method: request.method, succeeded: false)
            throw error
        }
    }

    private func answer(_ request: RPCRequest) async throws -> ByteBuffer {
        guard let method = PeerMethod(rawValue: request.method) else { throw RPCError.unknownMethod(request.method) }
        switch method {
        case .hello:
            let caller = request.payload.getString(at: request.payload.readerIndex, length: min(request.payload.readableBytes, 300)) ?? ""
            logger.info("hello from peer", metadata: ["peer": "\(request.peer.short)", "address": "\(caller)"])
            return ByteBuffer(string: advertise.description)
        case .membership:
            return try await membership(request)
        case .storeChunk:
            let message = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseStore(request.payload) }
            // Never keep bytes under an id they do not hash to.
            guard ChunkID(hashing: message.bytes) == message.id else { throw RPCError.badRequest("chunk bytes do not match id \(message.id)") }
            // A stand-in only for a peer of the ring (alive, suspect or dead within its
            // grace): a hint for anyone else would be kept for ever.
            if let intended = message.hintFor, !placement.placesOther(intended) {
                throw RPCError.badRequest("a hint for a peer that is not on the ring")
            }
            try await local.put(message.id, message.bytes)
            if let intended = message.hintFor { try await local.addHint(message.id, for: intended) }
            return ByteBuffer()
        case .fetchChunk:
            let id = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseFetch(request.payload) }
            guard let bytes = try await local.get(id) else { throw RPCError.notFound("chunk \(id) not held here") }
            return ByteBuffer(bytes: bytes)
        case .storeRecord, .fetchRecords, .subscribeRecords, .notifyRecord:
            return try await records.answer(method, request)
        case .hasChunks:
            let ids = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseHas(request.payload) }
            return ByteBuffer(bytes: try await local.has(ids).map { $0 ? 1 : 0 })
        }
    }

    private func membership(_ request: RPCRequest) async throws -> ByteBuffer {
        let bytes = request.payload.getBytes(at: request.payload.readerIndex, length: request.payload.readableBytes) ?? []
        let packet: MembershipPacket
        do {
            packet = try MessageCodec.decode(bytes)
        } catch {
            throw RPCError.badRequest("membership packet: \(error)")
        }
        // The sender named in the packet must be the peer that proved its key over TLS.
        guard packet.sender.bytes == request.peer.bytes else {
            logger.warning("membership packet with a forged sender", metadata: ["peer": "\(request.peer.short)"])
            throw RPCError.badRequest("packet sender does not match the connection's NodeID")
        }
        await membership.receive(packet)
        return ByteBuffer()
    }

    private func parse<T>(_ body: () throws(ChunkMessageError) -> T) throws -> T {
        do { return try body() } catch { throw RPCError.badRequest(error.reason) }
    }
}
