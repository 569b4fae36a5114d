import Content
import OpenSSLKit
import Records
import NIOCore
import Testing
import Transport
@testable import Peer

/// The chunk RPCs as a peer answers them: bytes under the wrong id and hints for strangers
/// are refused with nothing stored; what was stored is served back.
@Suite struct ChunkRequestsTests {
    @Test func wrongBytesAndStrangersHintsAreRefusedAndNothingIsStored() async throws {
        let ring = FakeRing(peers: 3)
        let calls = ring.network.peer(ring.ids[0])
        let bytes = Array("the real bytes".utf8), other = Array("other bytes".utf8)
        let id = ChunkID(hashing: bytes)
        let peer = ring.snapshot(self: nil).peers.values.first { $0.nodeID == ring.ids[1] }!

        let stranger = [UInt8](repeating: 9, count: 32)
        let refusals = [
            (ChunkMessages.store(id: id, bytes: other), "chunk bytes do not match id \(id)"),
            (ChunkMessages.store(id: id, bytes: bytes, hintFor: stranger), "a hint for a peer that is not on the ring"),
        ]
        for (payload, reason) in refusals {
            let error = await #expect(throws: TransportError.self) { try await calls.call(.storeChunk, payload, on: peer, timeout: .seconds(5)) }
            guard case .remote(400, let message) = error else {
                Issue.record("expected a 400, got \(String(describing: error))")
                continue
            }
            #expect(message == reason)
        }
        #expect(ring.stores[1].ids.isEmpty)
        #expect(try await ring.stores[1].hintCount() == 0)

        _ = try await calls.call(.storeChunk, ChunkMessages.store(id: id, bytes: bytes), on: peer, timeout: .seconds(5))
        let fetched = try await calls.call(.fetchChunk, ChunkMessages.fetch(id: id), on: peer, timeout: .seconds(5))
        #expect(Array(fetched.readableBytesView) == bytes)
        let held = try await calls.call(.hasChunks, ChunkMessages.has(ids: [id, ChunkID(hashing: other)]), on: peer, timeout: .seconds(5))
        #expect(Array(held.readableBytesView) == [1, 0])
    }

    /// Answers every request with the same bytes.
    struct FixedAnswer: RPCService {
        let bytes: [UInt8]
        func handle(_ request: RPCRequest) async throws -> ByteBuffer { ByteBuffer(bytes: bytes) }
    }

    @Test func aMalformedAnswerIsTheCalleesFaultAndNamesIt() async throws {
        let network = MemoryNetwork()
        let liar = NodeID(bytes: [UInt8](repeating: 3, count: 32))!
        network.serve("liar:7400", as: liar, with: FixedAnswer(bytes: [1]))
        let calls = network.peer(NodeID(bytes: [UInt8](repeating: 4, count: 32))!)
        let ids = [ChunkID(hashing: [1]), ChunkID(hashing: [2])]
        let error = await #expect(throws: PeerNodeError.self) {
            _ = try await calls.call(ChunkMessages.Has(ids: ids), at: "liar:7400", expecting: liar, timeout: .seconds(5))
        }
        #expect("\(error!)" == "the peer at liar:7400 answered has_chunks with a malformed payload: has: 1 flags for 2 ids")
        let stored = await #expect(throws: PeerNodeError.self) {
            _ = try await calls.call(RecordMessages.Store(try Self.record()), at: "liar:7400", expecting: liar, timeout: .seconds(5))
        }
        #expect("\(stored!)".contains("answered store_record with a malformed payload"))
    }

    static func record() throws -> SignedRecord {
        let owner = try Ed25519PrivateKey(), signer = try Ed25519PrivateKey()
        return try SignedRecord.sign(sequence: 1, payload: [1, 2, 3], with: signer, owner: owner)
    }
}
