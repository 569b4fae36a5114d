import Content
import Peer

/// What the file routes need from the node: store a stream, read a capability back,
/// and say where its chunks live. A seam so the routes do not depend on the node's insides.
public protocol FileSource: Sendable {
    func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes) async throws -> EncodedFile where Bytes.Element == [UInt8]
    func info(_ capability: Capability) async throws -> FileInfo
    func read(_ capability: Capability, range: Range<UInt64>?, to body: (ArraySlice<UInt8>) async throws -> Void) async throws
    func locate(_ capability: Capability) async throws -> [(ChunkID, [String])]
}

extension PeerNode: FileSource {
    public func store<Bytes: AsyncSequence & Sendable>(_ bytes: Bytes) async throws -> EncodedFile where Bytes.Element == [UInt8] {
        let start = ContinuousClock.now
        do {
            let encoded = try await fileEncoder().encode(bytes)
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

    public nonisolated func locate(_ capability: Capability) async throws -> [(ChunkID, [String])] {
        let ids = try await chunkIDs(of: capability)
        let holders = await locate(ids)
        return ids.map { id in (id, (holders[id] ?? []).map(\.description).sorted()) }
    }
}
