import APIClient
import APIModel
import ArgumentParser
import Foundation
import Content
import Home
import Mount

/// `p2p mount CAP MOUNTPOINT`: a stored directory as a read-only folder whose files are
/// fetched, through the local peer, only when they are read; `p2p mount --folder DIR|ID
/// MOUNTPOINT`: the live merged tree of a synced folder (see docs/mount.md).
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
    @Argument(help: "A directory capability (`p2p put -r DIR` prints one); with --folder, a synced folder's directory or id.")
    var capability: String
    @Argument(help: "An empty directory to mount on.") var mountpoint: String
    @Flag(help: "Mount the live merged tree of a synced folder (one followed with `p2p sync add --on-demand`, or any synced one).")
    var folder = false
    @Flag(help: "Mount even if the directory is not empty (its entries are hidden while mounted).") var allowNonempty = false
    @Flag(help: "Return once mounted; the mount keeps running in the background.") var background = false

    func run() async throws {
        if !folder { try CLIError.validate(capability: capability) }
        let point = MountPoint(mountpoint)
        try point.prepare(allowNonempty: allowNonempty)
        guard FileManager.default.fileExists(atPath: "/dev/fuse") else {
            throw CLIError.failure("/dev/fuse is missing: this machine cannot mount (load the fuse module)")
        }
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        // The root first: a file capability, an unknown folder or a stopped daemon is one
        // line here rather than a mount that fails every access.
        let mountedAt = Int64(Date().timeIntervalSince1970 * 1e9)  // the root has no stored time: the mount's
        let tree: any MountSource
        var tableName = String(capability.prefix(16))  // the mount table's name for it: no commas, no slashes
        var follower: Task<Void, Never>?
        do {
            if folder {
                let source = capability.hasPrefix("/") || capability.hasPrefix(".") ? MountPoint(capability).path : capability
                let live = FolderTree()
                let first = try await client.folderTree(folder: source)
                live.update(first, mountedAt: mountedAt)
                tableName = "folder-" + first.folder
                tree = live
                follower = Task { await Self.follow(live, folder: source, client: client, mountedAt: mountedAt) }
            } else {
                _ = try await client.directory(capability: capability)
                let capability = capability
                tree = MountTree(rootCapability: capability, mtimeNanoseconds: mountedAt) { cap in
                    MountTree.Listing(try DirectoryListing(decoding: try await client.directoryListing(capability: cap)))
                }
            }
        } catch APIClientError.failed(let status, let message) where status == 400 || (folder && status == 404) {
            throw CLIError.badInput(message)
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: folder ? nil : capability)
        }
        defer { follower?.cancel() }
        if background { return try await BackgroundMount.start(arguments: CommandLine.arguments, point: point) }
        let capability = capability, name = tableName
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
                    try mount.serve(at: path, name: name) {
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

    /// Keeps a folder mount's tree current: asks the peer twice a second whether the
    /// folder's tree changed, and swaps in the new one when it did.
    private static func follow(_ tree: FolderTree, folder: String, client: APIClient, mountedAt: Int64) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))  // the poll interval
            if let next = try? await client.folderTree(folder: folder, since: tree.generation) {
                tree.update(next, mountedAt: mountedAt)
            }
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
