import ChunkStore
import Foundation
import Logging
import OpenSSLKit
import Testing

/// A logger that discards everything, so expected errors (quarantine) stay out of test output.
let quietLogger = Logger(label: "chunkstore-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs `body` with a fresh empty directory that is removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of `withTemporaryDirectory`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

private func makeTemporaryDirectory() -> String {
    // The store creates the directory itself; a unique name is all a test needs.
    FileManager.default.temporaryDirectory.appendingPathComponent("chunkstore-tests-\(UUID().uuidString)").path
}

/// Runs `body` with a store whose index lives in memory (`indexInMemory`), its segments in a
/// fresh directory removed afterwards: the bookkeeping tests (records, leases, ownership)
/// need no index file. The store is closed after `body`.
func withInMemoryIndex(
    _ configuration: ChunkStoreConfiguration = ChunkStoreConfiguration(capacity: 1 << 30), _ body: (ChunkStore) throws -> Void
) throws {
    try withTemporaryDirectory { (root: String) throws in
        var configuration = configuration
        configuration.indexInMemory = true
        let store = try ChunkStore(root: root, configuration: configuration, logger: quietLogger)
        defer { try? store.close() }
        try body(store)
    }
}

/// Deterministic pseudo-random bytes and their id.
func makeChunk(seed: UInt64, size: Int) -> (id: StoredChunkID, bytes: [UInt8]) {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: size)
    for index in bytes.indices {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    return (StoredChunkID(bytes: SHA256.hash(bytes))!, bytes)
}

extension ChunkStore {
    /// Damages one byte of a stored chunk in place, as a rotting disk would.
    func flipByte(of id: StoredChunkID, at index: Int) throws {
        let location = try #require(try location(of: id))
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: location.path))
        defer { try? handle.close() }
        try handle.seek(toOffset: location.offset + UInt64(index))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: location.offset + UInt64(index))
        try handle.write(contentsOf: [byte ^ 0x01])
    }
}

/// Every regular file under `directory`, recursively, as paths relative to it.
func filesUnder(_ directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { name in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }
}

extension ChunkStore {
    /// Test convenience: the bytes, or nil when the store reports the chunk missing.
    func bytesOrNil(_ id: StoredChunkID) throws -> [UInt8]? {
        do {
            return try get(id)
        } catch where error.isMissing {
            return nil
        }
    }
}
