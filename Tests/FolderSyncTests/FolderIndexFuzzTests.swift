import Codecs
import Content
import FolderSync
import TestSupport
import Testing

/// The folder-index and announcement decoders against their seed corpus (`fixtures/folder`)
/// and deterministic mutations of it, through the checks `FolderIndexFuzzer` runs under
/// libFuzzer (`FolderDecoderProbe`): typed refusals only, stable re-encoding, and the sync
/// logic on every decoded entry.
@Suite struct FolderIndexFuzzTests {
    static let seed: UInt64 = 0x5032_5046_4f4c_4431  // "P2PFOLD1"
    static let mutationCount = 50_000

    static let capability = "p2p1:" + Base32.encode(Array(UInt8(0)..<69))
    static let device = Array(UInt8(0xA0)..<0xC0)
    static let (a, b, c): (DeviceShortID, DeviceShortID, DeviceShortID) = (0x1111_1111_1111_1111, 0x2222_2222_2222_2222, 0x3333_3333_3333_3333)

    /// What each seed holds, built in Swift: the Python-written vectors must be its encoding.
    static let expectedIndexes: [String: FolderIndex] = [
        "index-empty": FolderIndex(device: device, entries: []),
        "index-small": FolderIndex(device: device, entries: [
            IndexEntry(path: "docs", kind: .directory, mode: 0o755, version: versions([(a, 1)]), modifiedBy: a),
            IndexEntry(
                path: "docs/readme.txt", kind: .file, mode: 0o644, modifiedNanoseconds: 1_700_000_000_123_456_789, size: 12,
                capability: capability, version: versions([(a, 3), (b, 1), (c, 2)]), modifiedBy: c),
            IndexEntry(path: "link", kind: .symlink, mode: 0, symlinkTarget: "docs/readme.txt", version: versions([(b, 1)]), modifiedBy: b),
            IndexEntry(
                path: "old.txt", kind: .file, mode: 0o600, modifiedNanoseconds: 1_600_000_000_000_000_000, deleted: true,
                version: versions([(a, 2), (b, 1)]), modifiedBy: a),
        ]),
        "index-extremes": FolderIndex(device: device, entries: [
            IndexEntry(
                path: "max", kind: .file, mode: 0o7777, modifiedNanoseconds: .max, size: .max, capability: capability,
                version: versions([(0, 1), (.max, .max)]), modifiedBy: .max),
            IndexEntry(
                path: "min", kind: .file, mode: 0o7777, modifiedNanoseconds: .min, size: .max,
                version: versions([(a, 1)]), modifiedBy: 0),
        ]),
        "crash-version-counter-max": FolderIndex(device: device, entries: [
            IndexEntry(path: "a", kind: .file, mode: 0o644, version: versions([(a, .max)]), modifiedBy: a)
        ]),
    ]
    static let expectedAnnouncements: [String: IndexAnnouncement] = [
        "announcement": IndexAnnouncement(indexCapability: capability, entryCount: 4, publishedMilliseconds: 1_700_000_000_123),
        "announcement-extremes": IndexAnnouncement(indexCapability: "", entryCount: .max, publishedMilliseconds: .min),
        "announcement-pages": IndexAnnouncement(
            location: .pages(root: ChunkReference(id: ChunkID(bytes: Array(0..<32))!, key: ChunkKey(bytes: Array(32..<64))!)),
            entryCount: 4, publishedMilliseconds: 1_700_000_000_123),
    ]

    static func versions(_ counters: [(DeviceShortID, UInt64)]) -> VersionVector {
        VersionVector(counters.map { VersionVector.Counter(device: $0.0, value: $0.1) })
    }

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        try HexFixture.names(in: "folder").map { ($0, try HexFixture.bytes("folder/\($0).hex")) }
    }

    @Test func everySeedIsTheEncodingOfWhatItSaysItIs() throws {
        let corpus = try Self.corpus()
        #expect(Set(corpus.map(\.name)) == Set(Self.expectedIndexes.keys).union(Self.expectedAnnouncements.keys))
        for (name, bytes) in corpus {
            if let index = Self.expectedIndexes[name] {
                #expect(index.encoded() == bytes, "\(name)")
                // What a device keeps of it: modes within 0o777, entries it could never apply refused.
                let decoded = try FolderIndex(decoding: bytes)
                #expect(decoded.entries.count + decoded.refused.count == index.entries.count, "\(name)")
                for entry in decoded.entries {
                    var sent = try #require(index.entries.first { $0.path == entry.path })
                    sent.mode &= 0o777
                    #expect(entry == sent, "\(name): \(entry.path)")
                }
            }
            if let announcement = Self.expectedAnnouncements[name] {
                #expect(announcement.encodedPlaintext() == bytes, "\(name)")
                #expect(try IndexAnnouncement(decodingPlaintext: bytes) == announcement, "\(name)")
            }
        }
    }

    @Test func theSeedCorpusPassesEveryCheck() throws {
        for (name, bytes) in try Self.corpus() {
            let outcome = FolderDecoderProbe.run(bytes)
            #expect(outcome.problems.isEmpty, "\(name): \(outcome.problems)")
            #expect(outcome.index.isValue == (Self.expectedIndexes[name] != nil), "\(name): \(outcome.index)")
            #expect(outcome.announcement.isValue == (Self.expectedAnnouncements[name] != nil), "\(name): \(outcome.announcement)")
        }
    }

    @Test func mutatedSeedsPassEveryCheck() throws {
        var random = SplitMix64(seed: Self.seed)
        let seeds = try Self.corpus().map(\.bytes)
        var decodedIndexes = 0, decodedEntries = 0, decodedAnnouncements = 0
        var reasons: [String: Int] = [:]
        for _ in 0..<Self.mutationCount {
            let input = Self.mutate(seeds, using: &random)
            let outcome = FolderDecoderProbe.run(input)
            #expect(outcome.problems.isEmpty, "\(outcome.problems) for \(Hex.encode(input))")
            if case .value(let entries) = outcome.index {
                decodedIndexes += 1
                decodedEntries += entries
            }
            if outcome.announcement.isValue { decodedAnnouncements += 1 }
            for case .refused(let reason) in [outcome.index, outcome.announcement] {
                reasons[String(reason.prefix { !"(\"0123456789".contains($0) }), default: 0] += 1
            }
        }
        #expect(decodedIndexes > 4_000)
        // Three of the seven seeds are announcements, so fewer mutants are indexes.
        #expect(decodedEntries > 4_000)
        #expect(decodedAnnouncements > 2_000)
        #expect(reasons.count > 8, "\(reasons)")
    }

    // MARK: - Inputs

    /// Values that break careless arithmetic, written over 8 bytes (mtimes, sizes, counters, device ids).
    static let extremes: [UInt64] = [0, 1, .max, .max - 1, UInt64(Int64.max), UInt64(bitPattern: .min), 1 << 32, 1 << 31]

    /// One of the seeds (or two spliced), changed in one to four ways.
    static func mutate(_ seeds: [[UInt8]], using random: inout SplitMix64) -> [UInt8] {
        var bytes = seeds.randomElement(using: &random)!
        if Int.random(in: 0..<8, using: &random) == 0 {
            let other = seeds.randomElement(using: &random)!
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                + other.suffix(Int.random(in: 0...other.count, using: &random))
        }
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0:  // flip one bit
                bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1, 2:  // an extreme 64-bit value over any eight bytes
                let value = extremes.randomElement(using: &random)!
                for offset in 0..<8 where at + offset < bytes.count {
                    bytes[at + offset] = UInt8(truncatingIfNeeded: value >> (56 - 8 * offset))
                }
            case 3:  // one byte set to anything
                bytes[at] = .random(in: .min ... .max, using: &random)
            case 4:  // truncate
                bytes.removeLast(Int.random(in: 0...bytes.count - at, using: &random))
            case 5:  // insert random bytes
                bytes.insert(contentsOf: random.bytes(count: Int.random(in: 1...16, using: &random)), at: at)
            case 6:  // remove a few bytes
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            default:  // a 32-bit length or count made small, large or huge
                let value = [0, 1, 2, 255, 256, 4096, 4097, UInt32.max].randomElement(using: &random)!
                for offset in 0..<4 where at + offset < bytes.count {
                    bytes[at + offset] = UInt8(truncatingIfNeeded: value >> (24 - 8 * offset))
                }
            }
        }
        return bytes
    }
}
