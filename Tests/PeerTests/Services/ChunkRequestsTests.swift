import ChunkStore
import Content
import Foundation
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
        #expect(Array(held.readableBytesView) == [ChunkHolding.leased.rawValue, ChunkHolding.absent.rawValue])
        // A copy whose last lease ended waits for the sweep, and says so.
        _ = try await ring.stores[1].releaseLeases([id], owner: ChunkLease.provisionalOwner)
        let ended = try await calls.call(.hasChunks, ChunkMessages.has(ids: [id]), on: peer, timeout: .seconds(5))
        #expect(Array(ended.readableBytesView) == [ChunkHolding.unleased.rawValue])
    }

    /// Leases travel with copies as lifetimes (dated on the holder's clock) and are renewed
    /// in bulk; a peer renews and ends only its own: one that tries to end another owner's
    /// (to have its data collected) is refused.
    @Test func leasesAreTakenRenewedAndReleasedOnlyByTheirOwner() async throws {
        let ring = FakeRing(peers: 3)
        let bytes = Array("leased bytes".utf8)
        let id = ChunkID(hashing: bytes)
        let holder = ring.snapshot(self: nil).peers.values.first { $0.nodeID == ring.ids[1] }!
        let owner = Data(ring.ids[0].bytes), attacker = ring.network.peer(ring.ids[2])
        let calls = ring.network.peer(ring.ids[0])
        // The owner's clock is 40 days behind: its lease still lasts a day from the holder's now.
        let skewed = Date().addingTimeInterval(-40 * 86_400)
        let lease = ChunkLease(owner: owner, expiry: skewed.addingTimeInterval(86_400))!
        let sent = Date()
        _ = try await calls.call(
            .storeChunk, ChunkMessages.store(id: id, bytes: bytes, leases: [lease], now: skewed), on: holder, timeout: .seconds(5))
        let taken = try #require(try await ring.stores[1].leases(of: id).first)
        #expect(taken.owner == owner && abs(taken.expiry.timeIntervalSince(sent) - 86_400) < 60)
        #expect(ring.stores[1].receivedLeases.map(\.isCopy) == [false], "the owner's own lease")
        // The same lease from another peer comes with a copy: it cannot revive a release.
        _ = try await attacker.call(
            .storeChunk, ChunkMessages.store(id: id, bytes: bytes, leases: [lease], now: skewed), on: holder, timeout: .seconds(5))
        #expect(ring.stores[1].receivedLeases.map(\.isCopy) == [true], "a lease carried by another peer")

        let absent = ChunkID(hashing: [1])
        let renewed = try await calls.call(ChunkMessages.RenewLeases(owner: owner, lifetime: 7 * 86_400, ids: [id, absent]), on: holder, timeout: .seconds(5))
        #expect(renewed == [true, false])
        let extended = try #require(try await ring.stores[1].leases(of: id).first)
        #expect(abs(extended.expiry.timeIntervalSince(sent) - 7 * 86_400) < 60)

        for (request, reason) in [
            (ChunkMessages.releaseLeases(owner: owner, ids: [id]), "a peer may release only its own leases"),
            (ChunkMessages.renewLeases(owner: owner, lifetime: 1, ids: [id]), "a peer may renew only its own leases"),
        ] {
            let method: PeerMethod = reason.contains("release") ? .releaseLeases : .renewLeases
            let refused = await #expect(throws: TransportError.self) { try await attacker.call(method, request, on: holder, timeout: .seconds(5)) }
            guard case .remote(400, let message) = refused else {
                Issue.record("expected a 400, got \(String(describing: refused))")
                continue
            }
            #expect(message == reason)
        }
        #expect(try await ring.stores[1].leases(of: id).count == 1)
        #expect(try await calls.call(ChunkMessages.ReleaseLeases(owner: owner, ids: [id, absent]), on: holder, timeout: .seconds(5)) == 1)
        #expect(try await ring.stores[1].leases(of: id).isEmpty)
    }

    @Test func malformedLeasesAreRefused() throws {
        let id = ChunkID(hashing: [7])
        let now = Date()
        let lease = ChunkLease(owner: Data(repeating: 3, count: 32), expiry: now.addingTimeInterval(3600))!
        var noLeases = ByteBuffer(bytes: id.bytes)
        noLeases.writeInteger(UInt8(2))
        noLeases.writeInteger(UInt8(0))
        var tooMany = ByteBuffer(bytes: id.bytes)
        tooMany.writeInteger(UInt8(2))
        tooMany.writeInteger(UInt8(ChunkMessages.maximumLeases + 1))
        var truncated = ChunkMessages.store(id: id, bytes: [], leases: [lease], now: now)
        truncated.moveWriterIndex(to: truncated.writerIndex - 3)
        var shortRenewal = ByteBuffer(bytes: [UInt8](repeating: 1, count: 32))
        shortRenewal.writeInteger(UInt16(0))
        var unknownFlag = ByteBuffer(bytes: id.bytes)
        unknownFlag.writeInteger(UInt8(4))
        for payload in [noLeases, tooMany, truncated, unknownFlag] {
            #expect(throws: ChunkMessageError.self) { try ChunkMessages.parseStore(payload) }
        }
        #expect(throws: ChunkMessageError.self) { try ChunkMessages.parseRenewLeases(shortRenewal) }
        // Pins first (they end last), ended leases left out, lifetimes dated on arrival.
        let ended = ChunkLease(owner: Data(repeating: 4, count: 32), expiry: now.addingTimeInterval(-5))!
        let payload = ChunkMessages.store(id: id, bytes: [7], hintFor: id.bytes, leases: [lease, ended, .pin], now: now)
        let parsed = try ChunkMessages.parseStore(payload, now: now.addingTimeInterval(100))
        #expect(parsed.leases.map(\.owner) == [ChunkLease.pinOwner, lease.owner] && parsed.leases[0] == .pin)
        #expect(abs(parsed.leases[1].expiry.timeIntervalSince(now) - 3700) < 0.001)
        #expect(parsed.hintFor == id.bytes && parsed.bytes == [7])
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
