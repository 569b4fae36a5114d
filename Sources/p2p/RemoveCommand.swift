import APIClient
import APIModel
import ArgumentParser

/// `p2p rm CAP`: drops this peer's references to a file it stored, or to a tree it stored
/// with `put -r` and everything below it that no other of its trees uses (docs/gc.md). The
/// chunks are collected on every replica after the grace, unless another owner uses them.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a file or a tree this peer stored: its space returns after the grace (docs/gc.md).")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The capability (p2p1:…) that `p2p put` or `p2p put -r` printed.") var capability: String

    func run() async throws {
        try CLIError.validate(capability: capability)
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let removed: RemovedFile
        do {
            removed = try await client.remove(capability: capability)
        } catch APIClientError.failed(404, _) {
            throw CLIError.failure("not found: this peer did not store \(capability.prefix(24))… (`p2p ls` lists what it did)")
        } catch APIClientError.failed(409, let reason) {
            throw CLIError.failure("not removed: \(reason)")
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: capability)
        }
        var line = "removed \(capability.prefix(24))…: \(removed.releasedChunks) chunks released"
        if let files = removed.files, let directories = removed.directories {
            line = "removed the tree \(capability.prefix(24))…: \(files) files and \(directories) directories no other tree uses, "
                + "\(removed.releasedChunks) chunks released"
        }
        if removed.unreachablePeers > 0 {
            line += "; \(removed.unreachablePeers) peers unreachable keep their copies until the lease runs out"
        }
        print(line)
    }
}
