import Content
import Foundation
import OpenSSLKit
import Peer
import Testing

/// A short chaos run on an in-process cluster: puts and gets through random live peers with
/// failover while peers crash, come back and join, never more than N-1 = 2 down at once.
/// Afterwards every peer is back, repair settles, and every acknowledged put reads back.
/// (`tools/chaos` does the same with real processes, SIGSTOP included.)
@Suite(.serialized) struct ChaosTests {
    @Test func noAcknowledgedWriteIsLostUnderCrashesRestartsAndJoins() async throws {
        let cluster = try await InProcessCluster.start(peers: 5, repair: SelfHealingTests.fast)
        #expect(await cluster.waitUntilAllSee(alive: 5, timeout: .seconds(60)))
        var generator = SystemRandomNumberGenerator()
        var down: Set<Int> = []
        var acknowledged: [(Capability, [UInt8])] = []
        var attempted = 0, failed = 0, gets = 0
        var added = false
        let clock = ContinuousClock()
        // At least 30 s and at least 20 operations, however slow a loaded machine is;
        // never more than 4 minutes.
        let end = clock.now + .seconds(30)
        let hardEnd = clock.now + .seconds(240)
        var nextFault = clock.now + .seconds(2)

        while (clock.now < end || attempted < 20) && clock.now < hardEnd {
            attempted += 1
            let live = cluster.nodes.indices.filter { !down.contains($0) }.shuffled(using: &generator)
            if acknowledged.isEmpty || Int.random(in: 0..<3, using: &generator) != 0 {
                let bytes = try SecureRandom.bytes(count: Int.random(in: 0...300_000, using: &generator))
                var stored = false
                for index in live {
                    if let encoded = try? await cluster.nodes[index].fileEncoder().encode(bytes) {
                        acknowledged.append((encoded.capability, bytes))
                        stored = true
                        break
                    }
                }
                if !stored { failed += 1 }
            } else {
                gets += 1
                let (capability, bytes) = acknowledged.randomElement(using: &generator)!
                var read: [UInt8]?
                for index in live {
                    read = try? await cluster.nodes[index].fileDecoder().read(capability)
                    if read != nil { break }
                }
                #expect(read == nil || read == bytes)  // a read may fail mid-chaos, never be wrong
                if read == nil { failed += 1 }
            }
            guard clock.now >= nextFault else { continue }
            nextFault = clock.now + .milliseconds(Int.random(in: 1500...3000, using: &generator))
            if !added && Int.random(in: 0..<5, using: &generator) == 0 {
                _ = try await cluster.addPeer()
                added = true
            } else if let back = down.randomElement(using: &generator), down.count == 2 || Bool.random(using: &generator) {
                _ = try await cluster.restart(back)
                down.remove(back)
            } else if down.count < 2, let victim = live.first {
                await cluster.nodes[victim].stop(announceLeave: false)  // a crash
                down.insert(victim)
            }
        }
        for index in down { _ = try await cluster.restart(index) }
        #expect(attempted >= 20)
        #expect(!acknowledged.isEmpty)
        // Restarted peers find the others again through their address books.
        _ = await cluster.waitUntilAllSee(alive: cluster.nodes.count, timeout: .seconds(60))

        var ids: Set<ChunkID> = []
        for (capability, _) in acknowledged {
            var found: [ChunkID] = []
            _ = await cluster.waitUntil(timeout: .seconds(30)) {
                guard let chunks = try? await cluster.nodes[0].chunkIDs(of: capability) else { return false }
                found = chunks
                return true
            }
            #expect(!found.isEmpty, "the manifest of an acknowledged put is unreadable")
            ids.formUnion(found)
        }
        let all = ids.sorted()
        let settled = await cluster.waitUntil(timeout: .seconds(60)) {
            let held = await SelfHealingTests.holders(all, nodes: cluster.nodes)
            return all.allSatisfy { (held[$0]?.count ?? 0) >= 3 }
        }
        #expect(settled, "chunks not back at N=3 after the chaos run")
        var lost = 0
        for (offset, (capability, bytes)) in acknowledged.enumerated() {
            let read = try? await cluster.nodes[offset % cluster.nodes.count].fileDecoder().read(capability)
            if read != bytes { lost += 1 }
        }
        #expect(lost == 0, "\(lost) of \(acknowledged.count) acknowledged puts lost (\(attempted) operations, \(gets) gets, \(failed) failed)")
        await cluster.stop()
    }
}
