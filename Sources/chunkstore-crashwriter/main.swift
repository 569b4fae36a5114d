// chunkstore-crashwriter ROOT COUNT SEED [WRITERS [compact]]
//
// Test helper for ChunkStoreTests' crash-safety test: opens the store at ROOT and puts COUNT
// pseudo-random chunks (sizes 1..<32 KiB, from SEED) from WRITERS threads at once (default 1),
// so that puts share group commits; each writer deletes one of its earlier chunks after every
// tenth put. Before a delete it writes `del? <hex>`; after each operation returns it writes
// one unbuffered line, `put <hex>` or `del <hex>`, so the test knows exactly which operations
// were acknowledged before it sends SIGKILL. Ends with `done`.
//
// With `compact`, segments are 128 KiB, a writer deletes after every second put, and the
// first writer runs a compaction (at most 256 KiB copied) after each of its deletes, so that
// kills land in the middle of compactions too.
import ChunkStore
import Codecs
import Foundation
import Logging
import OpenSSLKit

/// SplitMix64: a tiny deterministic generator, so a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Sendable func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard (4...6).contains(arguments.count), let count = Int(arguments[2]), let seed = UInt64(arguments[3]),
      let writers = arguments.count >= 5 ? Int(arguments[4]) : 1, writers >= 1,
      arguments.count < 6 || arguments[5] == "compact"
else {
    FileHandle.standardError.write(Data("usage: chunkstore-crashwriter ROOT COUNT SEED [WRITERS [compact]]\n".utf8))
    exit(2)
}
let compacting = arguments.count == 6
var logger = Logger(label: "chunkstore-crashwriter")
logger.logLevel = .warning

/// One writer's share of the run: its puts, and a delete of one of its own chunks after every
/// tenth (every second when compacting, then followed by a compaction if `compacts`).
@Sendable func writeShare(_ store: ChunkStore, count: Int, seed: UInt64, compacts: Bool) throws {
    var random = SplitMix64(state: seed)
    var written: [StoredChunkID] = []
    for index in 0..<count {
        // Never empty: two writers' empty chunks would be one chunk, and one's delete the other's loss.
        let size = Int.random(in: 1..<32 * 1024, using: &random)
        var bytes = [UInt8](repeating: 0, count: size)
        for offset in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: random.next()) { word in
                for lane in 0..<min(8, size - offset) { bytes[offset + lane] = word[lane] }
            }
        }
        let id = StoredChunkID(Identifier256(digest: SHA256.hash(bytes)))
        try store.put(id, bytes)
        written.append(id)
        emit("put \(id.hex)")
        let deleteEvery = compacting ? 2 : 10
        if index % deleteEvery == deleteEvery - 1 {
            let victim = written.remove(at: Int.random(in: 0..<written.count, using: &random))
            emit("del? \(victim.hex)")
            try store.delete(victim)
            emit("del \(victim.hex)")
            if compacts { _ = try store.compact(maximumBytes: 256 << 10) }
        }
    }
}

do {
    let configuration = ChunkStoreConfiguration(capacity: 1 << 40, segmentSize: compacting ? 128 << 10 : 256 << 20)
    let store = try ChunkStore(root: arguments[1], configuration: configuration, logger: logger)
    let group = DispatchGroup()
    for writer in 0..<writers {
        group.enter()
        let share = count / writers + (writer < count % writers ? 1 : 0)
        Thread.detachNewThread {
            defer { group.leave() }
            do {
                try writeShare(store, count: share, seed: seed &+ UInt64(writer) &* 0x9E37_79B9, compacts: compacting && writer == 0)
            } catch {
                FileHandle.standardError.write(Data("chunkstore-crashwriter: \(error)\n".utf8))
                exit(1)
            }
        }
    }
    group.wait()
    try store.close()
    emit("done")
} catch {
    FileHandle.standardError.write(Data("chunkstore-crashwriter: \(error)\n".utf8))
    exit(1)
}
