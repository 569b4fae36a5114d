import Content
import FolderKeys
import Foundation
@testable import FolderSync
import OpenSSLKit
import Records

/// A member of a folder that publishes whatever index it likes: crafted entries, values
/// no honest scanner makes, files it never had. It holds the folder token, as a stolen
/// or malicious device would, and goes through the network as any device does.
struct HostileDevice {
    let network: MemoryNetwork
    let token: FolderToken
    let key: Ed25519PrivateKey
    let short: DeviceShortID
    private(set) var sequence: UInt64 = 0

    init(network: MemoryNetwork, token: FolderToken) throws {
        self.network = network
        self.token = token
        key = try Ed25519PrivateKey()
        short = DeviceShortID(deviceID: key.publicKey.rawRepresentation)
    }

    /// Stores `content` as a file of the folder and returns its capability.
    func store(_ content: String) async throws -> String {
        let cipher = try ConvergentCipher(convergenceSecret: token.convergenceSecret)
        return try await FileEncoder(sink: network.chunks, cipher: cipher).encode(Array(content.utf8)).capability.description
    }

    /// An entry as this device would claim it, at version `counter` of its own.
    func entry(
        _ path: String, _ kind: IndexEntry.Kind, mode: UInt32 = 0o644, capability: String = "", size: UInt64 = 0,
        target: String = "", modified: Int64 = 1_700_000_000_000_000_000, deleted: Bool = false, counter: UInt64 = 1
    ) -> IndexEntry {
        IndexEntry(
            path: path, kind: kind, mode: mode, modifiedNanoseconds: modified, size: size, capability: capability,
            symlinkTarget: target, deleted: deleted, version: VersionVector([.init(device: short, value: counter)]), modifiedBy: short)
    }

    /// Publishes an index holding exactly `entries` (encoded as given, nothing checked), as
    /// a whole index (announcement version 1), the way devices before index trees do.
    /// With `readable` false, the index's chunks are stored nowhere: the others cannot read it.
    mutating func publish(_ entries: [IndexEntry], readable: Bool = true) async throws {
        var index = FolderIndex(device: key.publicKey.rawRepresentation, entries: [])
        index.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let cipher = try ConvergentCipher(convergenceSecret: token.convergenceSecret)
        let sink: any ChunkSink = readable ? network.chunks : InMemoryChunkStore()
        let stored = try await FileEncoder(sink: sink, cipher: cipher).encode(index.encoded())
        let announcement = IndexAnnouncement(
            indexCapability: stored.capability.description, entryCount: UInt32(entries.count),
            publishedMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        sequence += 1
        let record = try SignedRecord.sign(
            key: token.recordKey, sequence: sequence,
            payload: try announcement.sealed(token: token, signer: key.publicKey.rawRepresentation), with: key,
            endorsement: try RecordEndorsement.endorse(signer: key.publicKey.rawRepresentation, by: token.ownerKey))
        network.plant(record)
    }
}
