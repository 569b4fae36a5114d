import FolderSync
import Logging
import Peer
import ServiceLifecycle

/// Runs a `PeerNode` as a service: starts it, keeps contacting seeds, and on graceful
/// shutdown (SIGINT/SIGTERM through the `ServiceGroup`) stops it — after handing its chunks
/// off when `handOffTimeout` is set (`p2pd run --leave-on-stop`).
struct PeerNodeService: Service {
    let node: PeerNode
    /// Folder sync, started once the node is up and stopped before it stops.
    let sync: SyncService?
    let handOffTimeout: Duration?
    let logger: Logger

    func run() async throws {
        _ = try await node.start()
        try await sync?.start()
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await node.contactSeeds()
                try? await Task.sleep(for: .seconds(2))  // a retry period, not synchronization
            }
        } onGracefulShutdown: {
            logger.info("stopping")
        }
        await sync?.stop()
        if let handOffTimeout {
            _ = await node.leave(handOffTimeout: handOffTimeout)
        } else {
            await node.stop()
        }
    }
}
