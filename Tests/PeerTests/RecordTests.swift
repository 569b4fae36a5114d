import Codecs
import OpenSSLKit
@testable import Peer
import Records
import TestSupport
import Testing
import Transport

/// Signed records on an in-process cluster of 5 peers (N=3, W=2): publish and fetch through
/// different peers, highest sequence wins, a holder down, forged records, notifications.
@Suite(.serialized) struct RecordTests {
    /// A new record key and the owner key that endorses its writers.
    static func randomKey() throws -> (owner: Ed25519PrivateKey, key: [UInt8]) {
        let owner = try Ed25519PrivateKey()
        return (owner, RecordEndorsement.key(owner: owner.publicKey.rawRepresentation))
    }

    /// Waits until every peer computes the same three holders for `key`; returns their indexes.
    static func holders(of key: [UInt8], in cluster: InProcessCluster) async -> [Int] {
        func indexes(_ node: PeerNode) -> [Int] {
            node.placement.snapshot.preferenceList(for: key).compactMap { peer in cluster.nodes.firstIndex { $0.nodeID == peer.nodeID } }
        }
        _ = await cluster.waitUntil { cluster.nodes.allSatisfy { indexes($0).count == 3 && indexes($0) == indexes(cluster.nodes[0]) } }
        return indexes(cluster.nodes[0])
    }

    @Test func publishedRecordsAreFetchedElsewhereAndTheHighestSequenceWins() async throws {
        let logs = LogCapture()
        let cluster = try await InProcessCluster.start(peers: 5, logger: logs.logger(level: .warning))
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let (owner, key) = try Self.randomKey()
        let holders = await Self.holders(of: key, in: cluster)
        let publisher = cluster.nodes[0], reader = cluster.nodes[4]

        let v1 = try publisher.signRecord(owner: owner, sequence: 1, payload: Array("v1".utf8))
        try await publisher.publishRecord(v1)
        #expect(try await reader.fetchRecords(key: key) == [v1])

        let v3 = try publisher.signRecord(owner: owner, sequence: 3, payload: Array("v3".utf8))
        try await publisher.publishRecord(v3)
        #expect(try await reader.fetchRecords(key: key) == [v3])
        // An older sequence is acknowledged and ignored.
        try await publisher.publishRecord(try publisher.signRecord(owner: owner, sequence: 2, payload: Array("v2".utf8)))
        #expect(try await reader.fetchRecords(key: key) == [v3])
        #expect(await cluster.waitUntil(timeout: .seconds(20)) {
            for index in holders where (try? await cluster.nodes[index].records.records(key: key)) != [v3] { return false }
            return true
        })

        // A second signer's record sits beside the first.
        let other = try SignedRecord.sign(sequence: 1, payload: [1, 2, 3], with: Ed25519PrivateKey(), owner: owner)
        try await reader.publishRecord(other)
        #expect(Set(try await cluster.nodes[2].fetchRecords(key: key)) == [v3, other])

        // An invalid record is refused by the publisher and by a holder asked directly.
        var tampered = try publisher.signRecord(owner: owner, sequence: 4, payload: Array("v4".utf8))
        tampered.payload = Array("evil".utf8)
        await #expect(throws: DataPathError.self) { try await publisher.publishRecord(tampered) }
        await #expect(throws: RPCError.badRequest("record under key \(Hex.encode(key).prefix(16)): signature does not verify")) {
            _ = try await cluster.nodes[holders[0]].acceptRecord(tampered, from: "test")
        }

        // A forged record placed straight into one holder's store is dropped by fetch, and logged.
        let forgedHolder = cluster.nodes[holders[1]]
        var forged = v3
        forged.sequence = 9
        forged.payload = Array("forged".utf8)
        #expect(try await forgedHolder.records.put(forged) == .stored)
        #expect(Set(try await reader.fetchRecords(key: key)) == [v3, other])
        let warnings = logs.all.filter { $0.message == "dropped an invalid record from a holder" }
        #expect(warnings.contains {
            $0.level == .warning && $0.metadata["peer"] == forgedHolder.nodeID.short
                && $0.metadata["signer"] == String(Hex.encode(v3.signer).prefix(16))
        })
        await cluster.stop()
    }

    @Test func withOneHolderDownPublishAndFetchSucceedAndReadRepairRefillsIt() async throws {
        let cluster = try await InProcessCluster.start(peers: 5)
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let (owner, key) = try Self.randomKey()
        let holders = await Self.holders(of: key, in: cluster)
        let victim = holders[0]
        let others = cluster.nodes.indices.filter { $0 != victim }
        let publisher = cluster.nodes[others[0]], reader = cluster.nodes[others[1]]
        await cluster.nodes[victim].stop(announceLeave: false)

        let record = try publisher.signRecord(owner: owner, sequence: 1, payload: Array("while down".utf8))
        try await publisher.publishRecord(record)
        #expect(try await reader.fetchRecords(key: key) == [record])

        // Back again, it is missing the record until a fetch notices and repairs it.
        let restarted = try await cluster.restart(victim)
        #expect(try await restarted.records.records(key: key).isEmpty)
        #expect(await cluster.waitUntil(timeout: .seconds(60)) {
            _ = try? await reader.fetchRecords(key: key)
            return (try? await restarted.records.records(key: key)) == [record]
        })
        await cluster.stop()
    }

    @Test func aSubscriberIsNotifiedOfANewerRecordAndCancelsByEndingIteration() async throws {
        let cluster = try await InProcessCluster.start(peers: 5)
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let (owner, key) = try Self.randomKey()
        let holders = await Self.holders(of: key, in: cluster)
        let subscriber = cluster.nodes[1], publisher = cluster.nodes[3]

        let inbox = Inbox()
        let consumer = Task { for await news in subscriber.subscribeRecords(key: key) { await inbox.add(news) } }
        func leased() -> Bool {
            holders.allSatisfy { cluster.nodes[$0].leases.subscribers(of: key, now: .now).contains(subscriber.nodeID) }
        }
        #expect(await cluster.waitUntil(timeout: .seconds(20)) { leased() })

        try await publisher.publishRecord(try publisher.signRecord(owner: owner, sequence: 1, payload: [7]))
        #expect(await cluster.waitUntil(timeout: .seconds(20)) { await inbox.keys.contains(key) })

        consumer.cancel()
        #expect(await cluster.waitUntil(timeout: .seconds(20)) {
            holders.allSatisfy { !cluster.nodes[$0].leases.subscribers(of: key, now: .now).contains(subscriber.nodeID) }
        })
        await cluster.stop()
    }

    @Test func theRepairPassGivesEveryOwnerTheRecordsAndHandsOverStrayCopies() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, repair: SelfHealingTests.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let (owner, key) = try Self.randomKey()
        let holders = await Self.holders(of: key, in: cluster)
        let stray = try #require(cluster.nodes.indices.first { !holders.contains($0) })
        let first = try cluster.nodes[0].signRecord(owner: owner, sequence: 1, payload: [1])
        let second = try SignedRecord.sign(sequence: 2, payload: [2], with: Ed25519PrivateKey(), owner: owner)
        // A copy on a peer that does not own the key (a stand-in's), and one on a single owner.
        try await cluster.nodes[stray].records.put(first)
        try await cluster.nodes[holders[2]].records.put(second)

        #expect(await cluster.waitUntil(timeout: .seconds(60)) {
            for index in holders where Set((try? await cluster.nodes[index].records.records(key: key)) ?? []) != [first, second] {
                return false
            }
            return (try? await cluster.nodes[stray].records.records(key: key))?.isEmpty == true
        })
        await cluster.stop()
    }
}

/// What a subscription stream delivered.
private actor Inbox {
    private(set) var keys: [[UInt8]] = []
    func add(_ key: [UInt8]) { keys.append(key) }
}

extension RecordTests {
    /// A peer without the key's owner key (a folder's token) fills the key with 1,024
    /// throwaway signers, each endorsed by an owner of its own making, straight at the
    /// holders: every one is refused, and a real device that comes later publishes and is
    /// seen by the others.
    @Test func aKeyCannotBeSquattedByThrowawaySigners() async throws {
        let logs = LogCapture()
        let cluster = try await InProcessCluster.start(peers: 5, logger: logs.logger(level: .warning))
        #expect(await cluster.waitUntilAllSee(alive: 5))
        let (folderOwner, key) = try Self.randomKey()
        let holders = await Self.holders(of: key, in: cluster)
        let fakeOwner = try Ed25519PrivateKey()
        var refused = 0
        for sequence in 1...1_024 {
            let signer = try Ed25519PrivateKey()
            let squatter = try SignedRecord.sign(
                key: key, sequence: UInt64(sequence), payload: [0], with: signer,
                endorsement: RecordEndorsement.endorse(signer: signer.publicKey.rawRepresentation, by: fakeOwner))
            for holder in holders {
                do {
                    _ = try await cluster.nodes[holder].acceptRecord(squatter, from: "squatter")
                } catch {
                    refused += 1
                }
            }
        }
        #expect(refused == 1_024 * holders.count)
        for holder in holders { #expect(try await cluster.nodes[holder].records.records(key: key).isEmpty) }

        let device = cluster.nodes[0], other = cluster.nodes[4]
        let record = try device.signRecord(owner: folderOwner, sequence: 1, payload: Array("a real device".utf8))
        try await device.publishRecord(record)
        #expect(try await other.fetchRecords(key: key) == [record])
        await cluster.stop()
    }
}
