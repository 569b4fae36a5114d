import Content
import OpenSSLKit
import Peer

/// What folder sync needs from the network, declared here so this layer does not depend
/// on the node engine (Syncthing's protocol/model split). The daemon implements it with
/// its `PeerNode`; tests may implement it in memory.
public protocol SyncNetwork: Sendable {
    /// This device's 32-byte id (its NodeID).
    var deviceID: [UInt8] { get }
    /// Where the chunks of changed files are written (replicated by the network).
    var chunkSink: any ChunkSink { get }
    /// Where chunks are read from, verified by the decoder.
    var chunkSource: any ChunkSource { get }
    /// Signs this device's records.
    func sign(recordKey: [UInt8], sequence: UInt64, payload: [UInt8]) throws -> SignedRecord
    /// Stores a record on the peers responsible for its key.
    func publish(_ record: SignedRecord) async throws
    /// Every device's latest record under `key`, as the responsible peers hold them.
    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord]
    /// Yields `key` whenever a responsible peer reports a newer record under it.
    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]>
}
