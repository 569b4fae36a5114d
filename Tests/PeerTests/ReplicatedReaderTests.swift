import ChunkStore
import Content
import Foundation
import Logging
import NIOCore
import OpenSSLKit
import Ring
import Synchronization
import TestSupport
import Testing
import Transport
import Workers
@testable import Peer

/// The read path against a peer that lies: wrong bytes are detected and another replica used.
@Suite struct ReplicatedReaderTests {
    @Test func aPeerReturningWrongBytesIsDetectedAndAnotherReplicaIsUsed() async throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let secret = try SecureRandom.bytes(count: 32)
        let chunks = try (0..<20).map { _ in try SecureRandom.bytes(count: 1000) }
        let byID = Dictionary(uniqueKeysWithValues: chunks.map { (ChunkID(hashing: $0), $0) })

        let liar = FixedService(chunks: byID, lies: true)
        let honest = FixedService(chunks: byID, lies: false)
        let liarCredentials = try PeerCredentials.generate(networkSecret: secret)
        let honestCredentials = try PeerCredentials.generate(networkSecret: secret)
        let liarServer = try await TransportServer.start(host: "127.0.0.1", port: 0, credentials: liarCredentials, service: liar, logger: logger)
        let honestServer = try await TransportServer.start(host: "127.0.0.1", port: 0, credentials: honestCredentials, service: honest, logger: logger)
        defer { Task { await liarServer.close(); await honestServer.close() } }

        let peers = [(liarCredentials.nodeID, liarServer.port), (honestCredentials.nodeID, honestServer.port)]
        var placementPeers: [RingNodeID: PlacementPeer] = [:]
        var members: [RingMember] = []
        for (nodeID, port) in peers {
            let ringID = RingNodeID(bytes: nodeID.bytes)!
            members.append(RingMember(id: ringID, zone: "z", capacity: 1 << 30))
            placementPeers[ringID] = PlacementPeer(nodeID: nodeID, address: "127.0.0.1:\(port)", zone: "z", state: .alive, isSelf: false)
        }
        let placement = Placement(PlacementSnapshot(
            ring: Ring(members: members, configuration: RingConfiguration(replicas: 2, tokensPerPeer: 64)),
            peers: placementPeers, replicas: 2, writeQuorum: 1))
        let store = try ChunkStore(root: root + "/store", capacity: 1 << 30, logger: logger)
        let pool = PeerPool(connector: PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: logger))
        let background = BackgroundTasks()
        let reader = ReplicatedReader(
            placement: placement, local: LocalChunks(store: store), calls: pool, background: background, logger: logger,
            timeout: .seconds(60), hedgeDelay: .seconds(5))

        async let jobs: Void = background.run()
        for (id, bytes) in byID {
            #expect(try await reader.fetch(id: id) == bytes)
        }
        background.finish()
        await jobs
        #expect(liar.requests.load(ordering: .relaxed) > 0, "the liar was never asked: the test proves nothing")
        await pool.closeAll()
    }
}

/// Serves fetches from a fixed set; a liar flips a byte of every answer.
final class FixedService: RPCService {
    let chunks: [ChunkID: [UInt8]]
    let lies: Bool
    let requests = Atomic<Int>(0)

    init(chunks: [ChunkID: [UInt8]], lies: Bool) {
        self.chunks = chunks
        self.lies = lies
    }

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        requests.add(1, ordering: .relaxed)
        guard request.method == PeerMethod.fetchChunk.rawValue, let id = ChunkID(bytes: request.payload.readableBytesView),
              var bytes = chunks[id] else { throw RPCError.notFound("no") }
        if lies { bytes[0] ^= 0xFF }
        return ByteBuffer(bytes: bytes)
    }
}
