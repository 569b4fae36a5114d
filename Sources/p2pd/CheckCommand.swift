import ArgumentParser
import ChunkStore
import Codecs
import Foundation
import Home
import Peer

/// `p2pd check`: what is wrong with a home, without starting the daemon (and safely beside
/// a running one: databases are opened read-only). Every secret private (no group or other
/// bits) and well-formed, the key and the certificate a pair, the configuration readable,
/// the chunk index and the sync database intact. One line per problem, with its fix, and
/// exit 1; one line saying so and exit 0 when all is well.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a home: secrets and their modes, key and certificate, configuration, databases.")
    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.peerHome
        let manager = FileManager.default
        guard manager.fileExists(atPath: home.file("config.json")) || manager.fileExists(atPath: home.file("node.key")) else {
            throw PeerHomeError.notInitialized(path: home.path)
        }
        let problems = Self.problems(in: home)
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data("p2pd check: \(problem)\n".utf8)) }
            throw DaemonError(description: "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(home.path)")
        }
        print("\(home.path): secrets private, key and certificate a pair, configuration readable, databases intact")
    }

    /// Every problem found, each as one line that says what to do.
    static func problems(in home: PeerHome) -> [String] {
        var problems: [String] = []
        var privateSecrets = true
        // network.json exists once the network rotated its secret (p2p network revoke).
        let revoked = FileManager.default.fileExists(atPath: home.file("network.json"))
        for name in ["node.key", "network.secret", "convergence.secret", "api.token"] + (revoked ? ["network.json"] : []) {
            let path = home.file(name)
            var info = stat()
            guard stat(path, &info) == 0 else {
                problems.append("\(path) is missing: the home is incomplete (make a new one with `p2pd init`)")
                privateSecrets = false
                continue
            }
            let mode = UInt32(info.st_mode) & 0o777
            if mode & 0o077 != 0 {
                problems.append("\(path) can be read by others (mode \(String(mode, radix: 8))): chmod 600 \(path)")
                privateSecrets = false
            }
        }
        func attempt(_ body: () throws -> Void) {
            do { try body() } catch { problems.append("\(error)") }
        }
        attempt { _ = try home.configuration() }
        // Reading a secret refuses a loose mode: reported above, so read only private ones.
        if privateSecrets {
            attempt { _ = try home.credentials() }
            attempt {
                let secret = try home.convergenceSecret()
                if secret.count < 32 {
                    problems.append("\(home.file("convergence.secret")) holds \(secret.count) bytes, 32 are needed: restore it from a backup")
                }
            }
            attempt {
                if try home.apiToken().isEmpty {
                    problems.append("\(home.file("api.token")) is empty: write a new one, e.g. `openssl rand -hex 32 > \(home.file("api.token"))`")
                }
            }
        }
        for database in [home.dataDirectory + "/index.sqlite", home.file("sync") + "/sync.sqlite"] where FileManager.default.fileExists(atPath: database) {
            let findings = ChunkStore.integrityCheck(ofDatabaseAt: database)
            if findings != ["ok"] {
                problems.append("\(database) is damaged (\(findings.prefix(3).joined(separator: "; "))): restore the home from a backup, or move it away and let the peer start empty (repair copies its share back)")
            }
        }
        return problems
    }
}
