import APIClient
import APIModel
import ArgumentParser

/// `p2p rm CAP`: drops this peer's references to a file it stored (docs/gc.md). Its chunks
/// are collected on every replica after the grace, unless another owner still uses them.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a file this peer stored: its space returns after the grace (docs/gc.md).")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The capability (p2p1:…) that `p2p put` printed.") var capability: String

    func run() async throws {
        try CLIError.validate(capability: capability)
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let removed: RemovedFile
        do {
            removed = try await client.remove(capability: capability)
        } catch APIClientError.failed(404, _) {
            throw CLIError.failure("not found: this peer did not store \(capability.prefix(24))… (`p2p ls` lists what it did)")
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome, capability: capability)
        }
        var line = "removed \(capability.prefix(24))…: \(removed.releasedChunks) chunks released"
        if removed.unreachablePeers > 0 {
            line += "; \(removed.unreachablePeers) peers unreachable keep their copies until the lease runs out"
        }
        print(line)
    }
}
