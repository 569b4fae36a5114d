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

    static func peers(_ count: Int, on memory: MemoryNetwork, background: BackgroundTasks, removalGrace: Int = 0) throws -> [Peer] {
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
            let network = NetworkSettings(replicas: 3, writeQuorum: 2, removalGraceSeconds: removalGrace)
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

    /// `p2p peer remove`: a removal takes a failed member out of the placement at once
    /// (the grace is ten minutes here), is refused for a live member, itself and strangers,
    /// and a removal a peer sends about a live member changes nothing until that member
    /// fails. A member that comes back at a higher incarnation is placed again.
    @Test func aRemovedFailedMemberLeavesThePlacementAtOnceAndALiveOneNever() async throws {
        let memory = MemoryNetwork()
        try await withBackground { background in
            let peers = try Self.peers(4, on: memory, background: background, removalGrace: 600)
            await peers[0].driver.join(seeds: [])
            for peer in peers.dropFirst() { await peer.driver.join(seeds: [peers[0].address]) }
            #expect(await Self.tick(peers) {
                peers.allSatisfy { $0.placement.snapshot.peers.values.filter { $0.state == .alive }.count == 4 }
            })
            let victim = peers[3].credentials.nodeID.identifier
            await #expect(throws: MembershipDriver.RemovalRefusal.self) { try await peers[0].driver.removeFailedMember(victim) }
            await #expect(throws: MembershipDriver.RemovalRefusal.isSelf) {
                try await peers[0].driver.removeFailedMember(peers[0].credentials.nodeID.identifier)
            }
            await #expect(throws: MembershipDriver.RemovalRefusal.unknown) {
                try await peers[0].driver.removeFailedMember(Identifier256(digest: [UInt8](repeating: 1, count: 32)))
            }

            // Peer 2 sends peer 1 a removal of the live victim: kept, without effect.
            let incarnation = try #require(await peers[1].driver.member(victim)?.incarnation)
            let removal = ControlMessages.RemoveMember(member: victim, incarnation: incarnation)
            try await peers[1].driver.receiveRemoval(RPCRequest(
                method: PeerMethod.removeMember.rawValue, payload: removal.payload, peer: peers[2].credentials.nodeID,
                deadline: .now() + .seconds(5)))
            #expect(peers[1].placement.snapshot.peers.count == 4)
            let short = RPCRequest(
                method: PeerMethod.removeMember.rawValue, payload: ByteBuffer(bytes: [1, 2, 3]), peer: peers[2].credentials.nodeID,
                deadline: .now() + .seconds(5))
            await #expect(throws: RPCError.self) { try await peers[1].driver.receiveRemoval(short) }

            // The victim stops answering: within the grace it keeps its place, as dead.
            memory.setDown(peers[3].address, true)
            let live = Array(peers.prefix(3))
            #expect(await Self.tick(live) { await peers[0].driver.member(victim)?.state == .dead })
            // Peer 1 holds the removal it was sent: the victim is out as soon as it failed.
            #expect(await Self.tick(live) { peers[1].placement.snapshot.peers.count == 3 })
            #expect(peers[0].placement.snapshot.peers.count == 4)
            let failed = try await peers[0].driver.removeFailedMember(victim)
            #expect(failed.incarnation == incarnation)
            #expect(peers[0].placement.snapshot.peers.count == 3)
            #expect(await peers[0].trigger.wait(atLeast: .zero, atMost: .zero))

            // It comes back: it refutes at a higher incarnation and is placed again.
            memory.setDown(peers[3].address, false)
            #expect(await Self.tick(peers) {
                peers.prefix(3).allSatisfy { $0.placement.snapshot.peers.values.filter { $0.state == .alive }.count == 4 }
            })
        }
    }
}
