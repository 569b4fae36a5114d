import Content
import OpenSSLKit
import Records

/// What folder sync needs from the network, declared here so this layer does not depend
/// on the node engine (Syncthing's protocol/model split). The daemon implements it with
/// its `PeerNode`; tests may implement it in memory.
public protocol SyncNetwork: Sendable {
    /// This device's signing key for one folder, derived from its node key and `context`
    /// (the folder's record key): stable across restarts and re-adds, different for every
    /// folder, and unlinkable to the NodeID, so storing peers cannot tell which folders a
    /// peer syncs. Its public key is the device's id in that folder.
    func deviceKey(context: [UInt8]) throws -> Ed25519PrivateKey
    /// Where the chunks of changed files are written (replicated by the network).
    var chunkSink: any ChunkSink { get }
    /// Where chunks are read from, verified by the decoder.
    var chunkSource: any ChunkSource { get }
    /// Stores a record on the peers responsible for its key.
    func publish(_ record: SignedRecord) async throws
    /// Every device's latest record under `key`, as the responsible peers hold them.
    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord]
    /// Yields `key` whenever a responsible peer reports a newer record under it.
    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]>

    // Versions (docs/gc.md, "Folder versions"): this device holds a reference on the chunks
    // of every version of `folder` it keeps, current or within the retention.

    /// The capabilities of `folder` this device holds references on.
    func references(folder: String) async throws -> Set<String>
    /// Takes references on versions of `folder`; returns the capabilities now referenced
    /// (one whose chunks cannot be listed now is left for a later call).
    func reference(folder: String, files: [(capability: Capability, size: UInt64)]) async throws -> [String]
    /// Ends references on versions of `folder`; returns the chunks whose leases ended, which
    /// must be sent again when a file uses them.
    func release(folder: String, capabilities: [String]) async throws -> [ChunkID]
    /// Takes a reference on the pages of this device's newest index tree of `folder` and ends
    /// the one on its earlier trees; returns the pages whose leases ended. No pages ends the
    /// references on every tree (the folder is no longer synced here).
    func referenceIndex(folder: String, pages: [ChunkID]) async throws -> [ChunkID]
}
