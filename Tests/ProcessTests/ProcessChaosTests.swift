import APIClient
import Foundation
import Membership
import Peer
import Testing

/// About a minute of chaos with real `p2pd` processes (5 peers, N=3): a client puts and gets
/// through random live peers, failing over to another when one does not answer, while peers
/// are SIGKILLed and restarted, hung with SIGSTOP and resumed with SIGCONT, and one joins;
/// never more than N-1 = 2 peers down at once; now and then a file is removed through the
/// peer that stored it (`DELETE /v1/files`), with a grace short enough that sweeps collect
/// it during the run. Afterwards every peer is back, repair settles, and every acknowledged
/// put that was not removed reads back byte-exact. The fault schedule comes from
/// a fixed seed of its own, so how many operations fit between two faults (which depends on
/// the machine's speed) never changes which faults come; kills and hangs alternate, so a run
/// of any length past its first two faults has both. Every wait is bounded by a generous
/// deadline, none paces the run.
@Suite(.serialized) struct ProcessChaosTests {
    static let seed: UInt64 = 0x6368_616F_7321
    static let load = Duration.seconds(45)

    enum Fault { case killed, hung }

    @Test func noAcknowledgedWriteIsLostWhilePeersCrashHangRestartAndJoin() async throws {
        let cluster = try ProcessCluster(
            peers: 5, extraInit: ["--removal-grace", "30s", "--gc-grace", "4s"], peerInit: ["--gc-interval", "1s"],
            environment: ["P2P_REPAIR_INTERVAL": "1s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5, timeout: .seconds(90)))
        var random = Xoshiro256StarStar(seed: Self.seed)
        var faults = Xoshiro256StarStar(seed: Self.seed ^ 0xFA17)
        var nextKind = Fault.killed
        var down: [Int: Fault] = [:]
        var acknowledged: [(cap: String, bytes: [UInt8], owner: Int)] = []
        var attempted = 0, failed = 0, gets = 0, removals = 0, kills = 0, hangs = 0, joins = 0
        let clock = ContinuousClock()
        let end = clock.now + Self.load
        var nextFault = clock.now + .seconds(3)

        while clock.now < end {
            attempted += 1
            let live = cluster.homes.indices.filter { down[$0] == nil }.shuffled(using: &random)
            let choice = Int.random(in: 0..<12, using: &random)
            if acknowledged.isEmpty || choice < 8 {
                let bytes = Self.bytes(count: Int.random(in: 0...300_000, using: &random), using: &random)
                if let (cap, owner) = await Self.put(bytes, through: live, of: cluster) {
                    acknowledged.append((cap, bytes, owner))
                } else {
                    failed += 1
                }
            } else if choice == 11 {
                // Through its owner; every entry of that capability goes with it (one ledger entry per owner).
                let (cap, _, owner) = acknowledged[Int.random(in: acknowledged.indices, using: &random)]
                guard down[owner] == nil, var client = try? cluster.client(owner) else { continue }
                client.timeout = .seconds(60)
                if (try? await client.remove(capability: cap)) != nil {
                    acknowledged.removeAll { $0.cap == cap }
                    removals += 1
                } else {
                    failed += 1
                }
            } else {
                gets += 1
                let (cap, bytes, _) = acknowledged[Int.random(in: acknowledged.indices, using: &random)]
                let read = await Self.get(cap, through: live, of: cluster)
                #expect(read == nil || read == bytes, "a read returned wrong bytes for \(cap)")  // may fail mid-chaos, never be wrong
                if read == nil { failed += 1 }
            }
            guard clock.now >= nextFault else { continue }
            nextFault = clock.now + .milliseconds(Int.random(in: 1500...3000, using: &faults))
            let roll = Int.random(in: 0..<10, using: &faults)
            // A newcomer joins through peer 0's address, so only while peer 0 is up.
            if joins == 0 && roll == 0 && down[0] == nil {
                _ = try cluster.addPeer()
                joins += 1
            } else if let back = down.keys.sorted().first, down.count == 2 || roll < 5 {
                switch down[back]! {
                case .killed: try cluster.start(back)
                case .hung: cluster.resume(back)
                }
                down[back] = nil
            } else if down.count < 2, let victim = live.randomElement(using: &faults) {
                let fault = nextKind
                switch fault {
                case .killed:
                    cluster.kill(victim)
                    kills += 1
                case .hung:
                    cluster.hang(victim)
                    hangs += 1
                }
                down[victim] = fault
                nextKind = fault == .killed ? .hung : .killed
            }
        }
        for (index, fault) in down {
            switch fault {
            case .killed: try cluster.start(index)
            case .hung: cluster.resume(index)
            }
        }
        let loaded = clock.now
        let summary = "\(attempted) operations (\(gets) gets, \(removals) removals), \(failed) failed, \(acknowledged.count) puts acknowledged; \(kills) kills, \(hangs) hangs, \(joins) joins"
        print("chaos: \(summary)")
        #expect(kills > 0 && hangs > 0, "\(summary)")
        #expect(acknowledged.count >= 10 && removals > 0, "\(summary)")

        // Every peer back and alive everywhere, then every peer's last two passes found
        // nothing below N and nothing left to do.
        let peers = cluster.homes.count
        #expect(await cluster.waitUntilAlive(peers, timeout: .seconds(120)))
        var baseline: [Int] = []
        for index in 0..<peers { baseline.append((try? await cluster.client(index).status().durability?.passes) ?? 0) }
        let settled = await Daemon.eventually(timeout: .seconds(180)) {
            for index in 0..<peers {
                guard let figures = try? await cluster.client(index).status().durability,
                      figures.passes >= baseline[index] + 2, figures.belowN == 0, figures.zeroKnownReplicas == 0, figures.backlog == 0
                else { return false }
            }
            return true
        }
        #expect(settled, "repair did not settle: \(summary)")
        let healed = clock.now

        var lost: [String] = []
        for (offset, (cap, bytes, _)) in acknowledged.enumerated() {
            let order = (0..<peers).map { ($0 + offset) % peers }
            if await Self.get(cap, through: order, of: cluster) != bytes { lost.append(cap) }
        }
        print("chaos: every peer back and repair settled \(healed - loaded) after the load; \(acknowledged.count) puts read back in \(clock.now - healed)")
        #expect(lost.isEmpty, "\(lost.count) of \(acknowledged.count) acknowledged puts lost: \(lost.prefix(3))")
        // The removed files were really collected meanwhile, not merely forgotten.
        let collected = await Daemon.eventually(timeout: .seconds(60)) {
            var reclaimed: UInt64 = 0
            for index in 0..<peers { reclaimed += (try? await cluster.client(index).status().gc?.reclaimedBytes) ?? 0 }
            return reclaimed > 0
        }
        #expect(collected, "no sweep reclaimed anything after \(removals) removals")
    }

    /// Random bytes from the seeded generator.
    static func bytes(count: Int, using random: inout Xoshiro256StarStar) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let word = random.next()
                for shift in stride(from: 0, to: min(8, buffer.count - offset), by: 1) {
                    buffer[offset + shift] = UInt8(truncatingIfNeeded: word >> (8 * shift))
                }
                offset += 8
            }
        }
        return bytes
    }

    /// The capability of a put acknowledged by the first peer in `order` that answers, and
    /// that peer (the file's owner).
    static func put(_ bytes: [UInt8], through order: [Int], of cluster: ProcessCluster) async -> (String, Int)? {
        for index in order {
            guard var client = try? cluster.client(index) else { continue }
            client.timeout = .seconds(60)
            if let response = try? await client.request(.POST, "/v1/files", body: bytes),
               let stored = try? JSONDecoder().decode(APIClient.StoredFile.self, from: Data(response.body)) {
                return (stored.cap, index)
            }
        }
        return nil
    }

    /// The bytes of `cap` from the first peer in `order` that serves them.
    static func get(_ cap: String, through order: [Int], of cluster: ProcessCluster) async -> [UInt8]? {
        for index in order {
            guard var client = try? cluster.client(index) else { continue }
            client.timeout = .seconds(60)
            if let response = try? await client.request(.GET, "/v1/files/\(cap)") { return response.body }
        }
        return nil
    }
}
