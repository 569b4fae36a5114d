import APIModel
import Content
import Peer

/// What the file routes need from the node: store a stream, read a capability back,
/// and say where its chunks live. A seam so the routes do not depend on the node's insides.
public protocol FileSource: Sendable {
    /// Stores a file as this peer's own, from `source` (`put`, or `put -r file` for a tree's).
    func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, source: String) async throws -> EncodedFile where Bytes.Element == [UInt8]
    func info(_ capability: Capability) async throws -> FileInfo
    func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws
    func locate(_ capability: Capability) async throws -> [(ChunkID, [String])]
    /// The files this peer stored as their owner.
    func ownedFileList() async throws -> OwnedFiles
    /// Drops this owner's references to a file or a tree it stored; nil when it stored
    /// nothing there. Throws `PeerNode.RemovalRefusal` when the removal would break a tree.
    func remove(_ capability: Capability) async throws -> RemovedFile?
    /// Stores a directory listing as this owner's (`p2p put -r`); `isRoot` for the tree's root.
    func storeDirectory(_ listing: DirectoryListing, isRoot: Bool) async throws -> EncodedFile
    /// Reads a directory listing; `ContentError.wrongContentKind` when it is a file.
    func directory(_ capability: Capability) async throws -> DirectoryListing
}

extension PeerNode: FileSource {
    public func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes, source: String) async throws -> EncodedFile where Bytes.Element == [UInt8] {
        let start = ContinuousClock.now
        do {
            let encoded = try await storeOwnedFile(bytes, source: source)
            metrics.recordPut(bytes: encoded.size, duration: .now - start, succeeded: true)
            return encoded
        } catch {
            metrics.recordPut(bytes: 0, duration: .now - start, succeeded: false)
            throw error
        }
    }

    public nonisolated func info(_ capability: Capability) async throws -> FileInfo {
        try await fileDecoder().info(capability)
    }

    public nonisolated func read(
        _ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void
    ) async throws {
        let start = ContinuousClock.now
        var sent: UInt64 = 0
        do {
            _ = try await fileDecoder().decode(capability, range: range) { slice in
                try await body(slice)
                sent += UInt64(slice.count)
            }
            metrics.recordGet(bytes: sent, duration: .now - start, succeeded: true)
        } catch {
            metrics.recordGet(bytes: sent, duration: .now - start, succeeded: false)
            throw error
        }
    }

    public nonisolated func ownedFileList() async throws -> OwnedFiles {
        OwnedFiles(files: try await ownedFiles().map { file in
            OwnedFiles.File(cap: file.capability, size: file.size, storedAt: file.storedAt.timeIntervalSince1970, source: file.source)
        })
    }

    public nonisolated func remove(_ capability: Capability) async throws -> RemovedFile? {
        try await removeOwned(capability).map { removal in
            let tree = removal.directories > 0
            return RemovedFile(
                cap: capability.description, releasedChunks: removal.released, unreachablePeers: removal.unreachable,
                files: tree ? removal.files : nil, directories: tree ? removal.directories : nil)
        }
    }

    public nonisolated func storeDirectory(_ listing: DirectoryListing, isRoot: Bool) async throws -> EncodedFile {
        try await storeOwnedFile(
            ByteChunks(listing.encoded()), kind: .directory, source: PeerNode.treeSource, alsoAs: isRoot ? PeerNode.treeRootSource : nil)
    }

    public nonisolated func directory(_ capability: Capability) async throws -> DirectoryListing {
        try await fileDecoder().readDirectory(capability)
    }

    public nonisolated func locate(_ capability: Capability) async throws -> [(ChunkID, [String])] {
        let ids = try await chunkIDs(of: capability)
        let holders = await locate(ids)
        return ids.map { id in (id, (holders[id] ?? []).map(\.description).sorted()) }
    }
}
