import ChunkStore
import Foundation
import Logging
import NIOPosix

/// Where a peer keeps the members it has seen, so a restart finds the network again
/// without its seeds. The membership driver records changes in order; `StoredAddressBook`
/// writes them to the store off the driver's actor.
protocol AddressBook: Sendable {
    /// Addresses of every member seen before (seeds for a restart).
    func addresses() throws -> [String]
    func save(_ peer: PeerRecord)
    func forget(_ nodeID: Data)
}

/// The address book in the chunk store: changes are queued in order and written by one
/// background job on NIO's blocking thread pool.
final class StoredAddressBook: AddressBook {
    private enum Change: Sendable {
        case save(PeerRecord)
        case forget(Data)
    }

    private let store: ChunkStore
    private let changes: AsyncStream<Change>
    private let continuation: AsyncStream<Change>.Continuation

    init(store: ChunkStore) {
        self.store = store
        (changes, continuation) = AsyncStream.makeStream(of: Change.self)
    }

    func addresses() throws -> [String] {
        try store.peers().map(\.address)
    }

    func save(_ peer: PeerRecord) { continuation.yield(.save(peer)) }

    func forget(_ nodeID: Data) { continuation.yield(.forget(nodeID)) }

    /// Writes the queued changes in order until cancelled (a background job of the node).
    func run(logger: Logger) async {
        let store = store
        for await change in changes {
            do {
                try await NIOThreadPool.singleton.runIfActive {
                    switch change {
                    case .save(let peer): try store.upsertPeer(peer)
                    case .forget(let nodeID): _ = try store.removePeer(nodeID)
                    }
                }
            } catch {
                logger.warning("cannot save the address book", metadata: ["error": "\(error)"])
            }
        }
    }
}
