import ChunkStore
import Transport

/// One peer's reason for failing its part of a replicated request: what quorum and read
/// errors list, so a user sees which peers failed and why.
public struct PeerFailure: Error, Sendable, CustomStringConvertible {
    public let peer: NodeID
    public let error: any Error

    public init(peer: NodeID, error: any Error) {
        self.peer = peer
        self.error = error
    }

    public var description: String { "\(peer.short): \(error)" }

    /// Whether the peer refused for lack of space: its store is full (locally, or RPC 507).
    public var isFull: Bool {
        switch error {
        case let error as ChunkStoreError: error.code == .full
        case TransportError.remote(status: RPCError.fullStatus, _): true
        default: false
        }
    }
}

extension [PeerFailure] {
    /// Every failure, `peer: reason`, separated by semicolons.
    var listed: String { map(\.description).joined(separator: "; ") }
}
