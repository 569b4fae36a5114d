import Content
import Home
import Logging
import Membership
import NIOCore
import Synchronization
import Transport

/// Answers the requests of other peers: chunk requests from the local store, membership
/// packets to the membership driver, record requests to the record service.
struct PeerService: RPCService {
    let chunks: ChunkRequests
    let membership: MembershipDriver
    let records: RecordService
    let networkKeys: NetworkKeyService
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
            let caller = request.payload.getString(
                at: request.payload.readerIndex, length: min(request.payload.readableBytes, ControlMessages.Hello.maximumAddress)) ?? ""
            logger.info("hello from peer", metadata: ["peer": "\(request.peer.short)", "address": "\(caller)"])
            return ByteBuffer(string: advertise.description)
        case .membership:
            return try await membership.answer(request)
        case .networkKeys:
            return try await networkKeys.answer(request)
        case .removeMember:
            try await membership.receiveRemoval(request)
            return ByteBuffer()
        case .storeChunk, .fetchChunk, .hasChunks, .renewLeases, .releaseLeases:
            return try await chunks.answer(method, request)
        case .storeRecord, .fetchRecords, .subscribeRecords, .notifyRecord:
            return try await records.answer(method, request)
        }
    }
}
