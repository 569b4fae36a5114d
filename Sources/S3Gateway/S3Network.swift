import Content
import OpenSSLKit
import Records

/// What the gateway needs from the network, declared here so that it does not depend on
/// the node engine (as `SyncNetwork` is for folder sync). The daemon implements it with its
/// `PeerNode`; tests may implement it in memory.
public protocol S3Network: Sendable {
    /// The key this peer signs its records with (its identity key).
    var signingKey: Ed25519PrivateKey { get }
    /// Stores bytes as a file owned by this peer: encrypted, replicated, leased until released.
    func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, as kind: S3FileKind) async throws -> EncodedFile
    where Bytes.Element == [UInt8]
    /// Reads `range` of a file (all of it when nil), verified, in order.
    func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws
    /// Drops this owner's reference to a file it stored as `kind`; false when it does not own it so.
    func release(_ capability: Capability, as kind: S3FileKind) async throws -> Bool
    /// Stores a record on the peers responsible for its key.
    func publish(_ record: SignedRecord) async throws
    /// Every signer's newest record under `key`, as the responsible peers hold them.
    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord]
    /// Yields whenever a responsible peer reports a newer record under `key`.
    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]>
}

/// What a file the gateway stores is: an object's bytes, or a page of a bucket's index.
public enum S3FileKind: Sendable {
    case object
    case indexPage
}
