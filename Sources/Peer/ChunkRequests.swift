import ChunkStore
import Content
import Foundation
import NIOCore
import Transport

extension RPCError {
    /// The status of a store refused for lack of space (as HTTP's 507 Insufficient Storage).
    static let fullStatus: UInt16 = 507

    static func full(_ message: String) -> RPCError { RPCError(status: fullStatus, message: message) }
}

/// Answers the chunk RPCs (methods 0x02xx) from the local store: bytes are kept only under
/// the id they hash to, and hints only for peers of the ring.
struct ChunkRequests: Sendable {
    let local: any ChunkHolder
    let placement: Placement

    func answer(_ method: PeerMethod, _ request: RPCRequest) async throws -> ByteBuffer {
        switch method {
        case .storeChunk:
            let message = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseStore(request.payload) }
            // A stand-in only for a peer of the ring (alive, suspect or dead within its
            // grace): a hint for anyone else would be kept for ever.
            if let intended = message.hintFor, !placement.placesOther(intended) {
                throw RPCError.badRequest("a hint for a peer that is not on the ring")
            }
            // A lease of another owner than the caller comes with a copy (repair, hinted
            // handoff): it must not revive a lease its owner released here (docs/gc.md).
            let caller = Data(request.peer.bytes)
            let leases = message.leases.map { $0.owner == caller ? $0 : $0.copied }
            // Never keep bytes under an id they do not hash to: the store hashes them, once.
            do {
                try await local.put(message.id, message.bytes, leases: leases)
            } catch let error as ChunkStoreError where error.code == .hashMismatch {
                throw RPCError.badRequest("chunk bytes do not match id \(message.id)")
            } catch let error as ChunkStoreError where error.code == .full {
                // Typed, so the coordinator places the copy on a stand-in and says why.
                throw RPCError.full("this peer is full: \(error.detail)")
            }
            if let intended = message.hintFor { try await local.addHint(message.id, for: intended) }
            return ByteBuffer()
        case .fetchChunk:
            let id = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseFetch(request.payload) }
            guard let bytes = try await local.get(id) else { throw RPCError.notFound("chunk \(id) not held here") }
            return ByteBuffer(bytes: bytes)
        case .hasChunks:
            let ids = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseHas(request.payload) }
            return ByteBuffer(bytes: try await local.holdings(ids).map(\.rawValue))
        case .renewLeases:
            let message = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseRenewLeases(request.payload) }
            // Only an owner renews its own leases: renewing another's would keep its garbage,
            // and grow the lease table, at no cost to the caller.
            guard message.lease.owner == Data(request.peer.bytes) else {
                throw RPCError.badRequest("a peer may renew only its own leases")
            }
            return ByteBuffer(bytes: try await local.renewLeases(message.ids, lease: message.lease).map { $0 ? 1 : 0 })
        case .releaseLeases:
            let message = try parse { () throws(ChunkMessageError) in try ChunkMessages.parseReleaseLeases(request.payload) }
            // Only an owner may end its own leases: ending another's would collect its data.
            guard message.owner == Data(request.peer.bytes) else {
                throw RPCError.badRequest("a peer may release only its own leases")
            }
            var answer = ByteBuffer()
            answer.writeInteger(UInt32(try await local.releaseLeases(message.ids, owner: message.owner)))
            return answer
        case .hello, .membership, .removeMember, .networkKeys, .storeRecord, .fetchRecords, .subscribeRecords, .notifyRecord:
            throw RPCError.unknownMethod(request.method)
        }
    }
}
