import Content
import Home
import Logging
import Membership
import NIOCore
import Synchronization
import Transport

/// Answers the requests of other peers: chunks from the local store, membership packets
/// to the node.
struct PeerService: RPCService {
    let local: LocalChunks
    let advertise: HostPort
    let metrics: NodeMetrics
    let logger: Logger
    /// The node, attached once it exists (the service is built first, for the connector).
    private let node = NodeSlot()

    init(local: LocalChunks, advertise: HostPort, metrics: NodeMetrics, logger: Logger) {
        self.local = local
        self.advertise = advertise
        self.metrics = metrics
        self.logger = logger
    }

    func attach(_ node: PeerNode) { self.node.value.withLock { $0 = node } }

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
        switch request.method {
        case PeerMethod.hello:
            let caller = request.payload.getString(at: request.payload.readerIndex, length: min(request.payload.readableBytes, 300)) ?? ""
            logger.info("hello from peer", metadata: ["peer": "\(request.peer.short)", "address": "\(caller)"])
            return ByteBuffer(string: advertise.description)
        case PeerMethod.membership:
            return try await membership(request)
        case PeerMethod.storeChunk:
            let message = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseStore(request.payload) }
            // Never keep bytes under an id they do not hash to.
            guard ChunkID(hashing: message.bytes) == message.id else { throw RPCError.badRequest("chunk bytes do not match id \(message.id)") }
            if let intended = message.hintFor {
                // A stand-in only for a peer of the ring (alive, suspect or dead within its
                // grace): a hint for anyone else would be kept for ever.
                guard let node = node.value.withLock({ $0 }) else { throw RPCError.busy("peer is starting") }
                guard node.placesOther(intended) else { throw RPCError.badRequest("a hint for a peer that is not on the ring") }
            }
            try await local.put(message.id, message.bytes)
            if let intended = message.hintFor { try await local.addHint(message.id, for: intended) }
            return ByteBuffer()
        case PeerMethod.fetchChunk:
            let id = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseFetch(request.payload) }
            guard let bytes = try await local.get(id) else { throw RPCError.notFound("chunk \(id) not held here") }
            return ByteBuffer(bytes: bytes)
        case PeerMethod.storeRecord, PeerMethod.fetchRecords, PeerMethod.subscribeRecords, PeerMethod.notifyRecord:
            guard let node = node.value.withLock({ $0 }) else { throw RPCError.busy("peer is starting") }
            return try await node.answerRecordRequest(request)
        case PeerMethod.hasChunks:
            let ids = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseHas(request.payload) }
            return ByteBuffer(bytes: try await local.has(ids).map { $0 ? 1 : 0 })
        default:
            throw RPCError.unknownMethod(request.method)
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
        guard let node = node.value.withLock({ $0 }) else { throw RPCError.busy("peer is starting") }
        await node.receive(packet)
        return ByteBuffer()
    }

    private func parse<T>(_ body: () throws(ChunkMessageError) -> T) throws -> T {
        do { return try body() } catch { throw RPCError.badRequest(error.reason) }
    }
}

/// Holds the node once it exists.
private final class NodeSlot: Sendable {
    let value = Mutex<PeerNode?>(nil)
}
