import ChunkStore
import Content
import OpenSSLKit
import Peer
import Records
import S3Gateway

/// The S3 gateway's view of this peer: objects are files this peer owns (source `s3`),
/// bucket indexes are signed records, all through the node's replicated data path.
struct PeerS3Network: S3Network {
    let node: PeerNode

    var signingKey: Ed25519PrivateKey { node.identityKey }

    func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, as kind: S3FileKind) async throws -> EncodedFile
    where Bytes.Element == [UInt8] {
        try await node.storeOwnedFile(bytes, source: Self.source(kind))
    }

    func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws {
        _ = try await node.fileDecoder().decode(capability, range: range, to: body)
    }

    func release(_ capability: Capability, as kind: S3FileKind) async throws -> Bool {
        try await node.removeOwnedFile(capability, source: Self.source(kind)) != nil
    }

    private static func source(_ kind: S3FileKind) -> String {
        switch kind {
        case .object: OwnedFile.s3Source
        case .indexPage: OwnedFile.s3IndexSource
        }
    }

    func publish(_ record: SignedRecord) async throws {
        try await node.publishRecord(record)
    }

    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
        try await node.fetchRecords(key: key)
    }

    func subscribe(key: [UInt8]) -> AsyncStream<[UInt8]> {
        node.subscribeRecords(key: key)
    }
}
