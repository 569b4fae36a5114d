import Foundation

/// `p2p mount --background`: the same command, without the flag, in a new session whose
/// output goes to a file; returns once the mount is in place, or fails with the child's
/// own error line if it ended first.
enum BackgroundMount {
    static func start(arguments: [String], point: MountPoint) async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("p2p-mount-\(getpid()).log")
        // Opening it below reports a failure to create it.
        _ = FileManager.default.createFile(atPath: log.path, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments.dropFirst().filter { $0 != "--background" }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = output
        do { try process.run() } catch { throw CLIError.failure("cannot start the mount process: \(error)") }
        try? output.close()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if point.isMounted {
                print("mounted at \(point.path) (process \(process.processIdentifier)) — `p2p umount \(point.path)` to stop")
                return
            }
            if !process.isRunning {
                let reason = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").last.map(String.init)
                throw CLIError.failure(reason.map { $0.hasPrefix("p2p: ") ? String($0.dropFirst(5)) : $0 } ?? "the mount process ended")
            }
            try await Task.sleep(for: .milliseconds(20))  // polling with a deadline
        }
        process.terminate()
        throw CLIError.failure("the mount did not appear at \(point.path) within 20 s")
    }
}
