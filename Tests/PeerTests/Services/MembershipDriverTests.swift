import APIModel
import ChunkStore
import Foundation
import Logging
import Membership
import NIOCore
import Synchronization
import TestSupport
import Testing
import Transport
import Workers
@testable import Peer

/// The membership driver on a network in memory: three peers join through one seed, see
/// each other alive, agree on the placement, keep their address books, and drop a peer that
/// leaves — with the repair trigger fired when the placement changes. Real SWIM state
/// machines and node keys; no socket, no disk.
@Suite struct MembershipDriverTests {
    /// Address book in memory.
    final class MemoryBook: AddressBook {
        let saved = Mutex<[Data: PeerRecord]>([:])
        func addresses() throws -> [String] { saved.withLock { $0.values.map(\.address) } }
        func save(_ peer: PeerRecord) { saved.withLock { $0[peer.nodeID] = peer } }
        func forget(_ nodeID: Data) { _ = saved.withLock { $0.removeValue(forKey: nodeID) } }
    }

    /// Routes membership RPCs to a driver, as `PeerService` does.
    struct MembershipPeer: RPCService {
        let driver: MembershipDriver
        func handle(_ request: RPCRequest) async throws -> ByteBuffer { try await driver.answer(request) }
    }

    struct Peer {
        let credentials: PeerCredentials
        let address: String
        let driver: MembershipDriver
        let placement: Placement
        let book: MemoryBook
        let trigger: WorkerTrigger
    }

    static let configuration: MembershipConfiguration = {
        var configuration = MembershipConfiguration()
        configuration.probeInterval = .milliseconds(100)
        configuration.probeTimeout = .milliseconds(50)
        configuration.gossipInterval = .milliseconds(20)
        configuration.pushPullInterval = .milliseconds(500)
        configuration.joinRetryInterval = .milliseconds(100)
        return configuration
    }()

    static func peers(_ count: Int, on memory: MemoryNetwork, background: BackgroundTasks) throws -> [Peer] {
        let secret = [UInt8](repeating: 7, count: 32)
        return try (0..<count).map { index in
            let credentials = try PeerCredentials.generate(networkSecret: secret)
            let address = "peer-\(index):7400"
            let record = MemberRecord(
                id: credentials.nodeID.identifier, address: address, zone: "z", capacity: 1 << 30,
                meta: MemberMeta(usedBytes: 0, chunkCount: 0), incarnation: 1)
            let machine = MembershipStateMachine(
                local: record, configuration: configuration, authenticator: NodeKeyAuthenticator(privateKey: credentials.privateKey),
                seed: UInt64(index + 1), now: .zero)
            let network = NetworkSettings(replicas: 3, writeQuorum: 2, removalGraceSeconds: 0)
            let placement = Placement(PlacementSnapshot(ring: .init(members: []), peers: [:], replicas: 3, writeQuorum: 2))
            let book = MemoryBook(), trigger = WorkerTrigger()
            let driver = MembershipDriver(
                machine: machine, placement: placement, network: network, calls: memory.peer(credentials.nodeID),
                background: background, book: book, usage: { MemberMeta(usedBytes: 0, chunkCount: 0) }, placementChanged: trigger,
                logger: Logger(label: "test"))
            memory.serve(address, as: credentials.nodeID, with: MembershipPeer(driver: driver))
            return Peer(credentials: credentials, address: address, driver: driver, placement: placement, book: book, trigger: trigger)
        }
    }

    /// Ticks every driver, as their workers would, until `condition` holds or the deadline passes.
    static func tick(_ peers: [Peer], until condition: () async -> Bool) async -> Bool {
        await eventually(timeout: .seconds(30), every: .milliseconds(10)) {
            for peer in peers { _ = await peer.driver.tick() }
            return await condition()
        }
    }

    @Test func peersJoinThroughOneSeedAgreeOnThePlacementAndDropOneThatLeaves() async throws {
        let memory = MemoryNetwork()
        try await withBackground { background in
            let peers = try Self.peers(3, on: memory, background: background)
            await peers[0].driver.join(seeds: [])
            for peer in peers.dropFirst() { await peer.driver.join(seeds: [peers[0].address]) }

            let everyoneAlive = await Self.tick(peers) {
                for peer in peers where peer.placement.snapshot.peers.values.filter({ $0.state == .alive }).count != 3 { return false }
                return true
            }
            #expect(everyoneAlive)
            let views = peers.map { Set($0.placement.snapshot.peers.values.map(\.nodeID)) }
            #expect(views.allSatisfy { $0 == Set(peers.map(\.credentials.nodeID)) })
            for (index, peer) in peers.enumerated() {
                #expect(peer.placement.snapshot.peers.values.filter(\.isSelf).map(\.nodeID) == [peers[index].credentials.nodeID])
                // The others, in the address book at their addresses.
                let book = Set(try peer.book.addresses())
                #expect(book == Set(peers.filter { $0.address != peer.address }.map(\.address)))
            }
            #expect(await peers[1].trigger.wait(atLeast: .zero, atMost: .zero), "a changed placement did not fire the repair trigger")

            // Peer 2 leaves: the others see it gone and build a ring without it.
            await peers[2].driver.leave(spread: .milliseconds(300))
            await peers[2].driver.stop()
            let gone = await Self.tick(Array(peers.prefix(2))) {
                for peer in peers.prefix(2) where peer.placement.snapshot.peers.count != 2 { return false }
                return true
            }
            #expect(gone)
            #expect(await peers[0].driver.members.first { $0.id.bytes == peers[2].credentials.nodeID.bytes }?.state == .left)
            #expect(await peers[0].trigger.wait(atLeast: .zero, atMost: .zero))
        }
    }

    @Test func aPacketWhoseSenderIsNotTheCallerIsRefused() async throws {
        let memory = MemoryNetwork()
        try await withBackground { background in
            let peers = try Self.peers(3, on: memory, background: background)
            // Peer 1's packet, sent by peer 2.
            let packet = MembershipPacket(
                sender: peers[1].credentials.nodeID.identifier, senderAddress: peers[1].address, message: .ping(seq: 1, target: peers[0].credentials.nodeID.identifier))
            let forged = RPCRequest(
                method: PeerMethod.membership.rawValue, payload: ByteBuffer(bytes: MessageCodec.encode(packet)),
                peer: peers[2].credentials.nodeID, deadline: .now() + .seconds(5))
            await #expect(throws: RPCError.self) { try await peers[0].driver.answer(forged) }
            let garbage = RPCRequest(
                method: PeerMethod.membership.rawValue, payload: ByteBuffer(bytes: [0xFF, 0x00, 0x13]), peer: peers[2].credentials.nodeID,
                deadline: .now() + .seconds(5))
            await #expect(throws: RPCError.self) { try await peers[0].driver.answer(garbage) }
            #expect(await peers[0].driver.members.count == 1)
        }
    }
}
