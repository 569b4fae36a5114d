import Codecs
import Testing

/// The 256-bit id from bytes and back, from contiguous and non-contiguous collections alike,
/// with the order of its bytes.
@Suite struct Identifier256Tests {
    static let bytes: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    @Test func readsTheSameFromAnyCollectionAndWritesItBack() throws {
        let fromArray = try #require(Identifier256(bytes: Self.bytes))
        #expect(fromArray.bytes == Self.bytes)
        #expect(Identifier256(bytes: Self.bytes[...]) == fromArray)
        #expect(Identifier256(bytes: [0xFF] + Self.bytes + [0xFF])?.bytes == nil)
        #expect(Identifier256(bytes: ([0xFF] + Self.bytes + [0xFF]).dropFirst().dropLast()) == fromArray)
        // Not contiguous: the byte-by-byte path.
        #expect(Identifier256(bytes: Self.bytes.lazy.map { $0 }) == fromArray)
        #expect(Identifier256(bytes: Self.bytes.reversed().reversed()) == fromArray)
        #expect(fromArray.w0 == 0x0B30_557A_9FC4_E90E)
    }

    @Test func refusesEveryOtherLength() {
        for count in [0, 1, 31, 33, 64] {
            #expect(Identifier256(bytes: [UInt8](repeating: 7, count: count)) == nil)
            #expect(Identifier256(bytes: [UInt8](repeating: 7, count: count).lazy.map { $0 }) == nil)
        }
    }

    @Test func ordersAsItsBytesDo() throws {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<200).map { _ in (0..<32).map { _ in UInt8.random(in: 0...3, using: &generator) } }
        for (left, right) in zip(ids, ids.dropFirst()) {
            let a = try #require(Identifier256(bytes: left)), b = try #require(Identifier256(bytes: right))
            #expect((a < b) == left.lexicographicallyPrecedes(right))
            #expect((a == b) == (left == right))
        }
    }
}
