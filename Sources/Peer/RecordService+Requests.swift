import Codecs
import NIOCore
import Records
import Transport

extension RecordService {
    /// Answers the record RPCs (methods 0x03xx) for `PeerService`.
    func answer(_ method: PeerMethod, _ request: RPCRequest) async throws -> ByteBuffer {
        switch method {
        case .storeRecord:
            let record = try parse { () throws(ChunkMessageError) in try RecordMessages.parseStore(request.payload) }
            return RecordMessages.stored(sequence: try await acceptRecord(record, from: request.peer.short))
        case .fetchRecords:
            let (key, after) = try parse { () throws(ChunkMessageError) in try RecordMessages.parseFetch(request.payload) }
            let held = try await records.records(key: key, after: after, limit: RecordMessages.maximumPageCount)
            var page: [SignedRecord] = []
            var size = 0
            for record in held {
                let encodedSize = record.payload.count + SignedRecord.maximumEncodedSize - SignedRecord.maxPayloadSize
                if !page.isEmpty && size + encodedSize > RecordMessages.pageBudget { break }
                page.append(record)
                size += encodedSize
            }
            return RecordMessages.page(page, more: page.count < held.count)
        case .subscribeRecords:
            let (key, seconds) = try parse { () throws(ChunkMessageError) in try RecordMessages.parseSubscribe(request.payload) }
            guard leases.grant(key: key, to: request.peer, for: .seconds(Int(seconds)), now: .now) else {
                logger.info("refused a record lease: too many", metadata: ["peer": "\(request.peer.short)"])
                throw RPCError.busy("too many record leases")
            }
            return ByteBuffer()
        case .notifyRecord:
            let key = try parse { () throws(ChunkMessageError) in try RecordMessages.parseNotify(request.payload) }
            guard listeners.deliver(key) else { throw RPCError.notFound("no subscription to key \(Hex.encode(key).prefix(16))") }
            return ByteBuffer()
        case .hello, .membership, .removeMember, .networkKeys, .storeChunk, .fetchChunk, .hasChunks, .renewLeases, .releaseLeases:
            throw RPCError.unknownMethod(request.method)
        }
    }
}
