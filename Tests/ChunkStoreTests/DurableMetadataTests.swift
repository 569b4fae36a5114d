@testable import ChunkStore
import Foundation
import GRDB
import Testing

/// What a peer acknowledges without a file to rebuild it from — records it stores for
/// others, hints it keeps — is committed with `synchronous = FULL`; chunk index rows keep
/// the cheaper `NORMAL`.
struct DurableMetadataTests {
    @Test func recordsAndHintsCommitWithAFullSync() throws {
        try withTemporaryDirectory { root in
            let store = try ChunkStore(root: root, capacity: 1 << 20, logger: quietLogger)
            defer { try? store.close() }
            let inside = try store.durableWrite { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(inside == 2, "FULL inside a durable write")
            let after = try store.database.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(after == 1, "NORMAL again for ordinary writes")

            let before = store.durableCommits
            #expect(try store.putRecord(RecordStoreTests.row(signer: 1, sequence: 1)) == .stored)
            #expect(store.durableCommits == before + 1)
            let chunk = makeChunk(seed: 7, size: 4096)
            _ = try store.put(chunk.id, chunk.bytes)
            #expect(store.durableCommits == before + 1, "a chunk put does not pay for it")
            try store.addHint(chunk: chunk.id, peer: Data(repeating: 3, count: 32))
            #expect(store.durableCommits == before + 2)
        }
    }
}
