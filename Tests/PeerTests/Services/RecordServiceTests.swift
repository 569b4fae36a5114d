import Logging
import NIOCore
import OpenSSLKit
import Records
import TestSupport
import Testing
import Transport
import Workers
@testable import Peer

/// Signed records on fake peers: a publish reaches the key's holders with a quorum, a fetch
/// merges every signer's newest and repairs a holder that missed it, a forged record is
/// refused by the holders, and a key held by a peer that no longer owns it is handed over.
@Suite struct RecordServiceTests {
    /// N peers each with a `RecordService` over `MemoryRecords`, answering record RPCs.
    final class Peers: Sendable {
        let ring: FakeRing
        let stores: [MemoryRecords]
        let services: [RecordService]

        init(_ count: Int, background: BackgroundTasks) {
            ring = FakeRing(peers: count)
            stores = (0..<count).map { _ in MemoryRecords() }
            let ring = ring, stores = stores
            services = (0..<count).map { index in
                RecordService(
                    placement: Placement(ring.snapshot(self: index)), records: stores[index], leases: RecordLeases(),
                    listeners: RecordListeners(), calls: ring.network.peer(ring.ids[index]), background: background,
                    nodeID: ring.ids[index], configuration: RepairConfiguration(pagesPerSecond: 0), logger: Logger(label: "test"))
            }
            for index in 0..<count { ring.network.serve(ring.addresses[index], as: ring.ids[index], with: RecordPeer(service: services[index])) }
        }

        /// Indexes of the peers that hold `key`.
        func holders(of key: [UInt8]) -> [Int] {
            ring.snapshot(self: nil).preferenceList(for: key).compactMap { ring.index(of: $0.nodeID) }
        }
    }

    /// Routes record RPCs to a record service, as `PeerService` does.
    struct RecordPeer: RPCService {
        let service: RecordService
        func handle(_ request: RPCRequest) async throws -> ByteBuffer {
            guard let method = PeerMethod(rawValue: request.method) else { throw RPCError.unknownMethod(request.method) }
            return try await service.answer(method, request)
        }
    }

    @Test func publishReachesTheHoldersAndFetchMergesAndRepairs() async throws {
        let owner = try Ed25519PrivateKey(), alice = try Ed25519PrivateKey(), bob = try Ed25519PrivateKey()
        try await withBackground { background in
            let peers = Peers(5, background: background)
            let first = try SignedRecord.sign(sequence: 1, payload: [1], with: alice, owner: owner)
            let key = first.key
            let holders = peers.holders(of: key)
            try await peers.services[0].publishRecord(first)
            #expect(await eventually { holders.allSatisfy { peers.stores[$0].all == [first] } })
            #expect(peers.stores.indices.filter { !holders.contains($0) }.allSatisfy { peers.stores[$0].all.isEmpty })

            // One holder misses alice's second version; bob publishes too.
            let second = try SignedRecord.sign(sequence: 2, payload: [2], with: alice, owner: owner)
            _ = try await peers.stores[holders[0]].put(second)
            _ = try await peers.stores[holders[1]].put(second)
            let bobs = try SignedRecord.sign(sequence: 7, payload: [7], with: bob, owner: owner)
            try await peers.services[4].publishRecord(bobs)

            let merged = try await peers.services[3].fetchRecords(key: key)
            #expect(Set(merged) == [second, bobs])
            // Read repair: the holder that kept version 1 gets version 2.
            #expect(await eventually { Set(peers.stores[holders[2]].all) == [second, bobs] })
        }
    }

    @Test func aForgedRecordIsRefusedByEveryHolder() async throws {
        let owner = try Ed25519PrivateKey(), alice = try Ed25519PrivateKey()
        try await withBackground { background in
            let peers = Peers(3, background: background)
            var forged = try SignedRecord.sign(sequence: 1, payload: [1], with: alice, owner: owner)
            forged.payload = [9]  // no longer what alice signed
            await #expect(throws: DataPathError.self) { try await peers.services[0].publishRecord(forged) }
            let key = forged.key
            let caller = peers.ring.network.peer(peers.ring.ids[0])
            let holder = peers.ring.snapshot(self: nil).preferenceList(for: key)[1]
            let error = await #expect(throws: TransportError.self) {
                try await caller.call(RecordMessages.Store(forged), on: holder, timeout: .seconds(5))
            }
            guard case .remote(400, _) = error else {
                Issue.record("expected 400, got \(String(describing: error))")
                return
            }
            #expect(peers.stores.allSatisfy { $0.all.isEmpty })
        }
    }

    @Test func aPeerThatNoLongerOwnsAKeyHandsItsRecordsOver() async throws {
        let owner = try Ed25519PrivateKey(), alice = try Ed25519PrivateKey()
        try await withBackground { background in
            let peers = Peers(5, background: background)
            let record = try SignedRecord.sign(sequence: 3, payload: [3], with: alice, owner: owner)
            let holders = peers.holders(of: record.key)
            let stray = try #require(peers.stores.indices.first { !holders.contains($0) })
            _ = try await peers.stores[stray].put(record)
            await peers.services[stray].repairPass()
            #expect(holders.allSatisfy { peers.stores[$0].all == [record] })
            #expect(peers.stores[stray].all.isEmpty)
        }
    }
}
