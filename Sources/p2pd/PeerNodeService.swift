import FolderSync
import Logging
import Peer
import S3Gateway
import ServiceLifecycle

/// Runs a `PeerNode` as a service: starts it (its workers run until it stops), and on
/// graceful shutdown (SIGINT/SIGTERM through the `ServiceGroup`) stops it — after handing
/// its chunks off when `handOffTimeout` is set (`p2pd run --leave-on-stop`); on the
/// operator's drain request (`p2p peer drain`) it hands every chunk off until each is at
/// N elsewhere, leaves, and the daemon exits.
struct PeerNodeService: Service {
    let node: PeerNode
    /// Folder sync, started once the node is up and stopped before it stops.
    let sync: SyncService?
    /// The S3 state, followed while the node runs.
    let realm: S3Realm?
    let handOffTimeout: Duration?
    let logger: Logger

    func run() async throws {
        _ = try await node.start()
        try await sync?.start()
        await realm?.start()
        // Returns on graceful shutdown, on a drain request, or when the service group is
        // cancelled: either way the node stops below. Returning ends the whole group, so
        // a drained daemon exits.
        let drain = await firstOfShutdownOrDrain()
        logger.info(drain ? "draining" : "stopping")
        await sync?.stop()
        await realm?.stop()
        if drain {
            _ = await node.drain()
        } else if let handOffTimeout {
            _ = await node.leave(handOffTimeout: handOffTimeout)
        } else {
            await node.stop()
        }
    }

    /// Waits for SIGINT/SIGTERM (false) or the operator's drain request (true).
    private func firstOfShutdownOrDrain() async -> Bool {
        let node = node
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return false
            }
            group.addTask {
                for await _ in node.drainRequests { return true }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
