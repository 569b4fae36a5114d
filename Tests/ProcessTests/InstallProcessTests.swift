import Foundation
import Testing

/// `tools/install` (issue 21): into a temporary prefix, with the binaries this suite built
/// (a release build is what it does without `--binaries`; building one here would take the
/// package lock `swift test` holds). Binaries, man pages that `man -l` renders, completions
/// for three shells and the systemd units pointing at the installed daemon are all there,
/// and `systemd-analyze verify` accepts the units.
@Suite(.serialized) struct InstallProcessTests {
    static var tools: URL { URL(fileURLWithPath: ClusterScript.script).deletingLastPathComponent() }

    static func found(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return path.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func installsBinariesManPagesCompletionsAndUnitsIntoAPrefix() throws {
        let prefix = try Daemon.temporaryDirectory() + "/prefix with space"
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: prefix).deletingLastPathComponent().path) }
        let binaries = URL(fileURLWithPath: Daemon.binary).deletingLastPathComponent().path
        let install = try Daemon.run(
            [Self.tools.appendingPathComponent("install").path, "--prefix", prefix, "--binaries", binaries],
            binary: "/usr/bin/env", prefix: ["bash"])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")

        for tool in ["p2pd", "p2p"] {
            let installed = prefix + "/bin/" + tool
            #expect(FileManager.default.isExecutableFile(atPath: installed))
            let version = try Daemon.run(["--version"], binary: installed)
            #expect(version.status == 0 && !version.stdout.isEmpty)
            for completion in ["share/bash-completion/completions/\(tool)", "share/zsh/site-functions/_\(tool)", "share/fish/vendor_completions.d/\(tool).fish"] {
                let script = (try? String(contentsOfFile: prefix + "/" + completion, encoding: .utf8)) ?? ""
                #expect(script.contains(tool == "p2p" ? "sync" : "check"), "\(completion)")
            }
        }

        let man = try #require(Self.found("man"), "man is not installed: tools/ensure-packages --for-tests installs man-db")
        let p2pPage = try Daemon.run(["-l", prefix + "/share/man/man1/p2p.1"], binary: man, environment: ["MANWIDTH": "100", "PATH": "/usr/bin:/bin"])
        #expect(p2pPage.status == 0, "\(p2pPage.stderr)")
        for heading in ["NAME", "SYNOPSIS", "P2P PUT", "P2P SYNC", "p2p sync add", "EXIT STATUS", "--home <home>"] {
            #expect(p2pPage.stdout.contains(heading), "p2p.1 has no \(heading)")
        }
        let p2pdPage = try Daemon.run(["-l", prefix + "/share/man/man1/p2pd.1"], binary: man, environment: ["MANWIDTH": "100", "PATH": "/usr/bin:/bin"])
        #expect(p2pdPage.status == 0 && p2pdPage.stdout.contains("P2PD RUN") && p2pdPage.stdout.contains("--log-format"), "\(p2pdPage.stderr)")
        #expect(p2pdPage.stdout.contains("P2PD CHECK"))

        let system = try String(contentsOfFile: prefix + "/lib/systemd/system/p2pd@.service", encoding: .utf8)
        let user = try String(contentsOfFile: prefix + "/lib/systemd/user/p2pd.service", encoding: .utf8)
        for unit in [system, user] {
            #expect(unit.contains("ExecStart=\"\(prefix)/bin/p2pd\" run") && !unit.contains("@BINDIR@"))
        }
        #expect(system.contains("User=%i"))

        guard let analyze = Self.found("systemd-analyze") else {
            print("systemd-analyze not installed: the units are not verified (tools/ensure-packages --for-tests installs systemd)")
            return
        }
        let verify = try Daemon.run(
            ["verify", prefix + "/lib/systemd/system/p2pd@.service", prefix + "/lib/systemd/user/p2pd.service"],
            binary: analyze, environment: ["MANPATH": prefix + "/share/man", "PATH": "/usr/bin:/bin"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func refusesWhatItCannotInstall() throws {
        let prefix = try Daemon.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = Self.tools.appendingPathComponent("install").path
        let unknown = try Daemon.run([install, "--prefx", prefix], binary: "/usr/bin/env", prefix: ["bash"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown argument '--prefx'"), "\(unknown.stderr)")
        let empty = try Daemon.run([install, "--prefix", prefix, "--binaries", prefix], binary: "/usr/bin/env", prefix: ["bash"])
        #expect(empty.status == 1 && empty.stderr.contains("no executable"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: prefix + "/bin"))
    }
}
