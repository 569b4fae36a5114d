import Content
import Foundation
import OpenSSLKit
import Testing

/// The reference cut points of fastcdc-rs v2020 in fixtures/fastcdc/.
struct FastCDCFixtureTests {
    struct Fixture: Decodable {
        struct Input: Decodable {
            var seed: String
            var length: Int
            var sha256: String
        }
        struct Entry: Decodable {
            var offset: Int
            var length: Int
            var gear_hash: UInt64
        }
        var min_size: Int
        var avg_size: Int
        var max_size: Int
        var input: Input
        var chunks: [Entry]
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/fastcdc")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.files.count >= 4)
    }

    @Test(arguments: files)
    func matchesReference(file: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let input = TestData.hashStream(seed: fixture.input.seed, length: fixture.input.length)
        #expect(TestData.hex(SHA256.hash(input)) == fixture.input.sha256)

        let parameters = try FastCDC(averageSize: fixture.avg_size)
        #expect(parameters.minSize == fixture.min_size)
        #expect(parameters.maxSize == fixture.max_size)

        // Whole input at once, and in odd-sized pieces: the cut points must not depend on feeding.
        for pieceSize in [input.count, 1000, 65_537, 3_000_001] {
            var chunker = Chunker(parameters: parameters)
            var found: [Chunk] = []
            input.withUnsafeBytes { all in
                var position = 0
                while position < all.count {
                    let end = min(all.count, position + pieceSize)
                    chunker.append(UnsafeRawBufferPointer(rebasing: all[position..<end])) { chunk, _ in found.append(chunk) }
                    position = end
                }
            }
            chunker.finish { chunk, _ in found.append(chunk) }
            #expect(found.map(\.offset) == fixture.chunks.map(\.offset), "piece size \(pieceSize)")
            #expect(found.map(\.length) == fixture.chunks.map(\.length), "piece size \(pieceSize)")
            #expect(found.map(\.gearHash) == fixture.chunks.map(\.gear_hash), "piece size \(pieceSize)")
        }
    }
}
