import Content
import NIOCore
import OpenSSLKit
import Ring
import Transport
import Workers
@testable import Peer

/// Peers for unit tests of the node's services: each has an address on a `MemoryNetwork`
/// and a `MemoryChunks` store answering chunk requests through the real `ChunkRequests`.
/// `snapshot(self:)` is the placement as one of them (or an outsider) sees it.
final class FakeRing: Sendable {
    let network = MemoryNetwork()
    let ids: [NodeID]
    let addresses: [String]
    let stores: [MemoryChunks]
    let replicas: Int
    let writeQuorum: Int

    init(peers: Int, replicas: Int = 3, writeQuorum: Int = 2) {
        ids = (0..<peers).map { _ in NodeID(bytes: try! SecureRandom.bytes(count: 32))! }
        addresses = (0..<peers).map { "peer-\($0):7400" }
        stores = (0..<peers).map { _ in MemoryChunks() }
        self.replicas = replicas
        self.writeQuorum = writeQuorum
        let handlers = Placement(snapshot(self: nil))
        for index in 0..<peers {
            network.serve(addresses[index], as: ids[index], with: ChunkPeer(requests: ChunkRequests(local: stores[index], placement: handlers)))
        }
    }

    /// The placement as peer `me` sees it (nil: a client on none of them), with peers in `down` dead.
    func snapshot(self me: Int?, down: Set<Int> = []) -> PlacementSnapshot {
        var peers: [RingNodeID: PlacementPeer] = [:]
        var members: [RingMember] = []
        for (index, id) in ids.enumerated() {
            let ringID: RingNodeID = id.identifier
            members.append(RingMember(id: ringID, zone: "z", capacity: 1 << 30))
            peers[ringID] = PlacementPeer(
                nodeID: id, address: addresses[index], zone: "z", state: down.contains(index) ? .dead : .alive, isSelf: index == me)
        }
        let ring = Ring(members: members, configuration: RingConfiguration(replicas: replicas, tokensPerPeer: 64))
        return PlacementSnapshot(ring: ring, peers: peers, replicas: replicas, writeQuorum: writeQuorum)
    }

    /// Marks peers down on the network (calls to them fail) as well as in the placement.
    func setDown(_ down: Set<Int>) {
        for index in ids.indices { network.setDown(addresses[index], down.contains(index)) }
    }

    func index(of nodeID: NodeID) -> Int? { ids.firstIndex(of: nodeID) }

    /// Indexes of the preference list of `id` in `snapshot`.
    func owners(of id: ChunkID, in snapshot: PlacementSnapshot) -> [Int] {
        snapshot.preferenceList(for: id.bytes).compactMap { index(of: $0.nodeID) }
    }
}

/// A fake peer's RPC endpoint: chunk requests only.
struct ChunkPeer: RPCService {
    let requests: ChunkRequests

    func handle(_ request: RPCRequest) async throws -> ByteBuffer {
        guard let method = PeerMethod(rawValue: request.method) else { throw RPCError.unknownMethod(request.method) }
        return try await requests.answer(method, request)
    }
}

/// Runs `body` with a `BackgroundTasks` whose jobs run meanwhile; returns once `body` and
/// every job it started have ended.
func withBackground<T: Sendable>(_ body: (BackgroundTasks) async throws -> T) async rethrows -> T {
    let background = BackgroundTasks()
    async let jobs: Void = background.run()
    let result: T
    do {
        result = try await body(background)
    } catch {
        background.finish()
        await jobs
        throw error
    }
    background.finish()
    await jobs
    return result
}
