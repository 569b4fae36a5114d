import APIClient
import APIModel
import ArgumentParser
import Foundation
import Home
import Mount

/// `p2p mount CAP MOUNTPOINT`: a stored directory as a read-only folder whose files are
/// fetched, through the local peer, only when they are read (see docs/mount.md).
struct MountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Show a stored directory as a read-only folder; files are fetched when read.",
        discussion: """
            Runs in the foreground until `p2p umount MOUNTPOINT`, Ctrl-C or SIGTERM (--background \
            returns once the mount is in place). Every byte is read through the local peer, \
            verified, from whichever replica answers.
            """)

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "A directory capability (`p2p put -r DIR` prints one).") var capability: String
    @Argument(help: "An empty directory to mount on.") var mountpoint: String
    @Flag(help: "Mount even if the directory is not empty (its entries are hidden while mounted).") var allowNonempty = false
    @Flag(help: "Return once mounted; the mount keeps running in the background.") var background = false

    func run() async throws {
        try CLIError.validate(capability: capability)
        let point = MountPoint(mountpoint)
        try point.prepare(allowNonempty: allowNonempty)
        guard FileManager.default.fileExists(atPath: "/dev/fuse") else {
            throw CLIError.failure("/dev/fuse is missing: this machine cannot mount (load the fuse module)")
        }
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        // The root listing first: a file capability, a missing directory or a stopped daemon
        // is one line here rather than a mount that fails every access.
        do {
            _ = try await client.directory(capability: capability)
        } catch APIClientError.failed(400, let message) {
            throw CLIError.badInput(message)
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: capability)
        }
        if background { return try await BackgroundMount.start(arguments: CommandLine.arguments, point: point) }

        let capability = capability
        let mountedAt = Int64(Date().timeIntervalSince1970 * 1e9)  // the root has no stored time: the mount's
        let tree = MountTree(rootCapability: capability, mtimeNanoseconds: mountedAt) { (cap) throws(MountError) -> MountTree.Listing in
            try Blocking.run(timeout: .seconds(60)) { MountTree.Listing(try await client.directory(capability: cap)) }
        }
        let statistics = MountStatistics()
        let mount = FuseMount(tree: tree, statistics: statistics) { cap, size in
            FileReader(size: size) { range in
                let bytes = try await client.read(capability: cap, range: range)
                statistics.record(bytes: bytes.count)
                return bytes
            }
        }
        let path = point.path
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // libfuse's loop blocks its thread: a thread of its own, not one of Swift's executors.
            let thread = Thread {
                do {
                    try mount.serve(at: path, name: String(capability.prefix(16))) {
                        let line = "mounted \(capability.prefix(16))… at \(path) — `p2p umount \(path)` or Ctrl-C to stop\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: CLIError.failure("\(error)"))
                }
            }
            thread.start()
        }
    }
}

/// `p2p umount MOUNTPOINT`: ends a `p2p mount` (its process exits).
struct UnmountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "umount", abstract: "Unmount a `p2p mount`.")

    @Argument(help: "Where the mount is.") var mountpoint: String
    @Flag(help: "Detach now even if busy (lazy unmount; programs keep what they have open).") var lazy = false

    func run() throws {
        try MountPoint(mountpoint).unmount(lazy: lazy)
    }
}
