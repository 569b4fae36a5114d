import Content
import Foundation
import Testing

struct ChunkerTests {
    static let parameters = try! FastCDC(averageSize: 16 * 1024)

    static func chunks(of bytes: [UInt8], parameters: FastCDC = parameters) -> [Chunk] {
        var chunker = Chunker(parameters: parameters)
        var found: [Chunk] = []
        bytes.withUnsafeBytes { chunker.append($0) { chunk, _ in found.append(chunk) } }
        chunker.finish { chunk, _ in found.append(chunk) }
        return found
    }

    @Test func emptyInputHasNoChunks() {
        #expect(Self.chunks(of: []).isEmpty)
    }

    @Test func oneByteIsOneChunk() {
        #expect(Self.chunks(of: [42]) == [Chunk(offset: 0, length: 1, gearHash: 0)])
    }

    @Test(arguments: [4 * 1024, 16 * 1024, 64 * 1024])
    func boundarySizedInputsCoverTheInput(size: Int) {
        let bytes = TestData.randomBytes(count: size, seed: UInt64(size))
        let found = Self.chunks(of: bytes)
        #expect(found.reduce(0) { $0 + $1.length } == size)
        #expect(found.allSatisfy { $0.length <= Self.parameters.maxSize && $0.length > 0 })
        if size == Self.parameters.minSize {
            #expect(found.count == 1)
        }
    }

    @Test func zerosAreCutAtTheMaximum() {
        let found = Self.chunks(of: [UInt8](repeating: 0, count: 64 * 1024 * 3 + 5))
        #expect(found.map(\.length) == [65_536, 65_536, 65_536, 5])
    }

    @Test func parametersFollowTheAverage() throws {
        let parameters = try FastCDC(averageSize: 256 * 1024)
        #expect(parameters.minSize == 64 * 1024)
        #expect(parameters.maxSize == 1024 * 1024)
        #expect(throws: FastCDCError.self) { try FastCDC(averageSize: 100) }
        #expect(throws: FastCDCError.self) { try FastCDC(averageSize: 8 * 1024 * 1024) }
    }

    /// 2 GiB generated on the fly, never held: the chunker's memory stays bounded and the
    /// chunk lengths add up to the stream's size.
    @Test func twoGibibyteStream() throws {
        let total = 2 * 1024 * 1024 * 1024
        let block = TestData.randomBytes(count: 8 * 1024 * 1024 + 13, seed: 7)
        var chunker = Chunker(parameters: try FastCDC(averageSize: 256 * 1024))
        var sum = 0
        var count = 0
        var expectedOffset = 0
        var largest = 0
        var fed = 0
        var round: UInt8 = 0
        var varied = block
        while fed < total {
            // Vary each block a little so the stream is not periodic.
            varied[Int(round) * 4099 % varied.count] = round
            round &+= 1
            let take = min(varied.count, total - fed)
            varied.withUnsafeBytes { buffer in
                chunker.append(UnsafeRawBufferPointer(rebasing: buffer[..<take])) { chunk, _ in
                    if chunk.offset != expectedOffset { expectedOffset = -1 }
                    expectedOffset += chunk.length
                    sum += chunk.length
                    count += 1
                    largest = max(largest, chunk.length)
                }
            }
            fed += take
        }
        chunker.finish { chunk, _ in sum += chunk.length; count += 1; expectedOffset += chunk.length }
        #expect(sum == total)
        #expect(expectedOffset == total)
        #expect(largest <= 1024 * 1024)
        #expect(count > 2 * 1024 / 2)
    }
}
