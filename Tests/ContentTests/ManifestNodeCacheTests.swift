import Content
import Testing

/// Range reads with a shared node cache: answered without decoding the manifest again,
/// and never for a reference whose key is wrong.
struct ManifestNodeCacheTests {
    @Test func rangeReadsShareDecodedNodesAndAWrongKeyStillFails() async throws {
        let store = InMemoryChunkStore()
        let bytes = TestData.randomBytes(count: 3 * 1024 * 1024, seed: 7)
        let encoded = try await FileCodecTests.encoder(store, averageSize: 4096, fanout: 3).encode(bytes)
        var decoder = FileDecoder(source: store)
        let cache = ManifestNodeCache(capacityBytes: 1 << 20)
        decoder.nodeCache = cache
        for range in [0..<1, 5000..<70_000, 1_000_000..<1_200_000, 3 * 1024 * 1024 - 1..<3 * 1024 * 1024] {
            let slice = try await decoder.read(encoded.capability, range: UInt64(range.lowerBound)..<UInt64(range.upperBound))
            #expect(slice == Array(bytes[range]))
        }
        #expect(cache.count > 1)
        // The same ranges again, from the cache: the same bytes.
        let again = try await decoder.read(encoded.capability, range: 5000..<70_000)
        #expect(again == Array(bytes[5000..<70_000]))

        // The root's id with another key: not served from the cache, fails to decrypt.
        var forged = encoded.capability
        forged.root.key = try #require(ChunkKey(bytes: [UInt8](repeating: 1, count: ChunkKey.size)))
        await #expect(throws: (any Error).self) { _ = try await decoder.info(forged) }
    }

    @Test func theCacheStaysWithinItsBound() async throws {
        let store = InMemoryChunkStore()
        let cache = ManifestNodeCache(capacityBytes: 64 << 10)
        var decoder = FileDecoder(source: store)
        decoder.nodeCache = cache
        for seed in 0..<40 {
            let bytes = TestData.randomBytes(count: 300_000, seed: UInt64(seed) + 100)
            let encoded = try await FileCodecTests.encoder(store, averageSize: 4096, fanout: 8).encode(bytes)
            #expect(try await decoder.read(encoded.capability, range: 1000..<2000) == Array(bytes[1000..<2000]))
        }
        #expect(cache.count < 40 * 3, "nodes evicted past the bound")
    }
}
