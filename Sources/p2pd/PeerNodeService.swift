import FolderSync
import Logging
import Peer
import ServiceLifecycle

/// Runs a `PeerNode` as a service: starts it (its workers run until it stops), and on
/// graceful shutdown (SIGINT/SIGTERM through the `ServiceGroup`) stops it — after handing
/// its chunks off when `handOffTimeout` is set (`p2pd run --leave-on-stop`).
struct PeerNodeService: Service {
    let node: PeerNode
    /// Folder sync, started once the node is up and stopped before it stops.
    let sync: SyncService?
    let handOffTimeout: Duration?
    let logger: Logger

    func run() async throws {
        _ = try await node.start()
        try await sync?.start()
        // Returns on graceful shutdown, or throws when the service group is cancelled:
        // either way the node stops below.
        try? await gracefulShutdown()
        logger.info("stopping")
        await sync?.stop()
        if let handOffTimeout {
            _ = await node.leave(handOffTimeout: handOffTimeout)
        } else {
            await node.stop()
        }
    }
}
