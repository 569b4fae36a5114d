import Foundation
import Mount

/// A `p2p mount` run by a test in the foreground: started, waited for, unmounted, and
/// never left behind (`cleanUp` detaches and kills whatever is left).
final class TestMount: @unchecked Sendable {
    let path: String
    let process: Process
    let log: String

    init(cluster: ProcessCluster, peer: Int, capability: String, at path: String, arguments: [String] = []) throws {
        self.path = path
        self.log = path + ".log"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Daemon.cli)
        process.arguments = ["--home", cluster.homes[peer], "mount", capability, path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
    }

    /// Whether `/dev/fuse` exists; tests that mount fail with this one line when it does not.
    static var fuseMissing: String? {
        FileManager.default.fileExists(atPath: "/dev/fuse") ? nil : "/dev/fuse is missing on this machine: the mount tests cannot run"
    }

    /// True once the mount is in place.
    func waitUntilMounted() async -> Bool {
        await Daemon.eventually { Self.isMounted(path) }
    }

    static func isMounted(_ path: String) -> Bool {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4] == path && line.contains(" - fuse.p2p ")
        }
    }

    /// The mount's counters: range requests made to the peer and their bytes.
    var statistics: (requests: UInt64, bytes: UInt64) {
        guard let text = FuseMount.attribute(FuseMount.statisticsAttribute, of: path),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: UInt64] else { return (0, 0) }
        return (object["requests"] ?? 0, object["bytes"] ?? 0)
    }

    /// `p2p umount`, then the mount process's exit status (nil if it did not exit in 10 s).
    func unmount() async throws -> Int32? {
        let result = try Daemon.run(["umount", path], binary: Daemon.cli)
        guard result.status == 0 else { throw ClusterError(message: "p2p umount: \(result.stderr)") }
        guard await Daemon.eventually(timeout: .seconds(10), { !process.isRunning }) else { return nil }
        return process.terminationStatus
    }

    func cleanUp() {
        if Self.isMounted(path) { umount2(path, Int32(MNT_DETACH)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A shell command's status and output (`/bin/sh -c`).
func shell(_ script: String) throws -> (status: Int32, stdout: String, stderr: String) {
    try Daemon.run(["-c", script], binary: "/bin/sh")
}
