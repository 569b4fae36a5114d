import ChunkStore
import Content
import Foundation
import NIOCore

/// The chunk RPCs as typed requests (methods 0x02xx).
extension ChunkMessages {
    /// Store a chunk, optionally as a stand-in for `hintFor`; the answer is empty.
    struct Store: PeerRequest {
        static let method = PeerMethod.storeChunk
        let payload: ByteBuffer

        init(id: ChunkID, bytes: [UInt8], hintFor intended: [UInt8]? = nil, leases: [ChunkLease] = []) {
            payload = ChunkMessages.store(id: id, bytes: bytes, hintFor: intended, leases: leases)
        }
    }

    /// Extend `owner`'s leases on `ids` to `lifetime` from now; which of them the callee holds.
    struct RenewLeases: PeerRequest {
        static let method = PeerMethod.renewLeases
        let payload: ByteBuffer
        let count: Int

        init(owner: Data, lifetime: TimeInterval, ids: [ChunkID]) {
            payload = ChunkMessages.renewLeases(owner: owner, lifetime: lifetime, ids: ids)
            count = ids.count
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> [Bool] {
            guard answer.readableBytes == count else { throw .malformed("renew: \(answer.readableBytes) flags for \(count) ids") }
            return answer.readableBytesView.map { $0 == 1 }
        }
    }

    /// End the caller's leases (`owner` is its NodeID) on `ids`; how many the callee ended.
    struct ReleaseLeases: PeerRequest {
        static let method = PeerMethod.releaseLeases
        let payload: ByteBuffer

        init(owner: Data, ids: [ChunkID]) {
            payload = ChunkMessages.releaseLeases(owner: owner, ids: ids)
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> Int {
            guard answer.readableBytes == 4, let count = answer.getInteger(at: answer.readerIndex, as: UInt32.self) else {
                throw .malformed("release: expected a 4-byte count")
            }
            return Int(count)
        }
    }

    /// A chunk's bytes, as the callee holds them (the caller verifies them against the id).
    struct Fetch: PeerRequest {
        static let method = PeerMethod.fetchChunk
        let payload: ByteBuffer

        init(id: ChunkID) {
            payload = ChunkMessages.fetch(id: id)
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> [UInt8] {
            guard answer.readableBytes <= ChunkMessages.maximumChunkSize else {
                throw .malformed("fetch: a chunk of \(answer.readableBytes) bytes is too large")
            }
            return answer.getBytes(at: answer.readerIndex, length: answer.readableBytes) ?? []
        }
    }

    /// Which of `ids` the callee holds, and which of those a lease still keeps there.
    struct Has: PeerRequest {
        static let method = PeerMethod.hasChunks
        let payload: ByteBuffer
        let count: Int

        init(ids: [ChunkID]) {
            payload = ChunkMessages.has(ids: ids)
            count = ids.count
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> [ChunkHolding] {
            guard answer.readableBytes == count else { throw .malformed("has: \(answer.readableBytes) flags for \(count) ids") }
            return try answer.readableBytesView.map { (byte) throws(ChunkMessageError) in
                guard let holding = ChunkHolding(rawValue: byte) else { throw .malformed("has: \(byte) is not an answer") }
                return holding
            }
        }
    }
}
