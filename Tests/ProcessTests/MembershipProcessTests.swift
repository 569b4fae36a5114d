import APIClient
import Foundation
import Home
import Membership
import Peer
import Testing

/// Five real `p2pd` processes on loopback, observed through each one's HTTP API.
@Suite(.serialized) struct MembershipProcessTests {
    @Test func fivePeersDetectAKillARestartAndALeaveAndNeverListAnOutsider() async throws {
        let root = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var homes: [String] = []
        for index in 0..<5 {
            let home = root + "/p\(index)"
            var arguments = ["init", "--home", home, "--listen", "127.0.0.1:\(try Daemon.freePort())",
                             "--api", "127.0.0.1:\(try Daemon.freePort())", "--zone", "z\(index % 2)"]
            if index > 0 {
                arguments += ["--join", try Daemon.run(["token", "--home", homes[0]]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
            }
            #expect(try Daemon.run(arguments).status == 0)
            homes.append(home)
        }
        // An outsider: its own network, but it names peer 0 as its seed.
        let outsiderHome = root + "/outsider"
        _ = try Daemon.run(["init", "--home", outsiderHome + "-net", "--listen", "127.0.0.1:1"])
        let foreignSecret = try Daemon.run(["token", "--home", outsiderHome + "-net"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "@")[0]
        let seed = try PeerHome(path: homes[0]).configuration().advertise
        _ = try Daemon.run(["init", "--home", outsiderHome, "--listen", "127.0.0.1:\(try Daemon.freePort())",
                            "--api", "127.0.0.1:\(try Daemon.freePort())", "--join", "\(foreignSecret)@\(seed)"])
        let outsiderID = try PeerHome(path: outsiderHome).nodeID().description

        var processes = try homes.enumerated().map { try Daemon.start(home: $1, log: root + "/p\($0).log") }
        let outsider = try Daemon.start(home: outsiderHome, log: root + "/outsider.log")
        defer {
            for process in processes { Daemon.stop(process) }
            Daemon.stop(outsider)
        }
        let clients = try homes.map { try APIClient(home: PeerHome(path: $0)) }
        let ids = try homes.map { try PeerHome(path: $0).nodeID().description }

        func states(_ client: APIClient) async -> [String: String] {
            guard let status = try? await client.status() else { return [:] }
            return Dictionary(uniqueKeysWithValues: status.peers.map { ($0.nodeID, $0.state) })
        }
        func everyone(except skipped: Int? = nil, sees id: String, as state: String, within timeout: Duration) async -> Bool {
            await Daemon.eventually(timeout: timeout) {
                for (index, client) in clients.enumerated() where index != skipped {
                    if await states(client)[id] != state { return false }
                }
                return true
            }
        }

        // All five see five alive soon after the last one serves (start-up on a loaded CI
        // machine is not membership's time: the clock starts once every daemon answers).
        // The timing targets (alive within 5 s, dead within 15 s, back within 10 s) are
        // asserted in the deterministic simulator (`MembershipSimulationTests`), where no
        // other process steals time; real processes on a shared 2-core machine are held to
        // the protocol's own bounds: a join takes a few `joinRetryInterval`s, a crash is
        // seen within `failureDetectionBound` (Lifeguard stretches probes when a starved
        // daemon answers late, which is what it is for). Typical here: 0.3 s, 6 s, 0.3 s.
        let configuration = MembershipConfiguration()
        let formation = configuration.joinRetryInterval * 5
        let detection = configuration.failureDetectionBound(members: 5)
        #expect(await Daemon.eventually(timeout: .seconds(30)) {
            for client in clients where await states(client).isEmpty { return false }
            return true
        })
        let clock = ContinuousClock()
        let formed = clock.now
        #expect(await Daemon.eventually(timeout: formation) {
            for client in clients where await states(client).values.filter({ $0 == "alive" }).count != 5 { return false }
            return true
        })
        print("5 peers all alive after \(clock.now - formed)")

        // SIGKILL one: dead at all others within the detection bound.
        kill(processes[3].processIdentifier, SIGKILL)
        processes[3].waitUntilExit()
        let killed = clock.now
        #expect(await everyone(except: 3, sees: ids[3], as: "dead", within: detection))
        print("killed peer dead everywhere after \(clock.now - killed)")

        // Restart it: alive again at all within 10 s.
        processes[3] = try Daemon.start(home: homes[3], log: root + "/p3-again.log")
        let restarted = clock.now
        #expect(await Daemon.eventually(timeout: .seconds(30)) { (try? await clients[3].status()) != nil })
        #expect(await everyone(sees: ids[3], as: "alive", within: .seconds(10)))
        print("restarted peer alive everywhere after \(clock.now - restarted)")

        // Stop one gracefully: `left` at all others.
        processes[1].terminate()
        processes[1].waitUntilExit()
        #expect(processes[1].terminationStatus == 0)
        #expect(await everyone(except: 1, sees: ids[1], as: "left", within: .seconds(10)))

        // The outsider never appears in anyone's list.
        for (index, client) in clients.enumerated() where index != 1 {
            #expect(await states(client)[outsiderID] == nil)
        }
    }
}
