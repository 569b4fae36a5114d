// chunkstore-bench [ROOT] [COUNT]
//
// Measures ChunkStore put and get throughput for 256 KiB chunks, on one thread and on one thread
// per core, with SHA-256 alone as the floor. Puts into new leaf directories pay two extra directory
// syncs; "warm dirs" is the steady state of a populated store. Prints one line per measurement and
// asserts nothing. ROOT defaults to a fresh directory under the system temp dir (removed
// afterwards); COUNT defaults to 400 (100 MiB).
import ChunkStore
import Codecs
import Dispatch
import Foundation
import Logging
import OpenSSLKit

let chunkSize = 256 * 1024
let arguments = CommandLine.arguments
let root =
    arguments.count > 1
    ? arguments[1] : FileManager.default.temporaryDirectory.appendingPathComponent("chunkstore-bench-\(UUID())").path
let count = arguments.count > 2 ? Int(arguments[2]) ?? 400 : 400
let threads = ProcessInfo.processInfo.activeProcessorCount
var logger = Logger(label: "chunkstore-bench")
logger.logLevel = .warning

func makeChunks(seed: UInt64) -> [(StoredChunkID, [UInt8])] {
    var state = seed
    return (0..<count).map { _ in
        var bytes = [UInt8](repeating: 0, count: chunkSize)
        bytes.withUnsafeMutableBytes { raw in
            for index in 0..<(chunkSize / 8) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                raw.storeBytes(of: state, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return (StoredChunkID(Identifier256(digest: SHA256.hash(bytes))), bytes)
    }
}

func report(_ name: String, _ elapsed: Duration, operations: Int) {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let mebibytes = Double(operations * chunkSize) / 1_048_576
    let figures = String(
        format: "%8.1f MiB/s %8.0f ops/s  (%d x 256 KiB in %.3f s)",
        mebibytes / seconds, Double(operations) / seconds, operations, seconds)
    print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + figures)
}

/// Runs `body(index)` for every index on `width` threads and returns the elapsed time.
func measure(width: Int, _ body: @Sendable @escaping (Int) -> Void) -> Duration {
    let clock = ContinuousClock()
    return clock.measure {
        DispatchQueue.concurrentPerform(iterations: width) { lane in
            for index in stride(from: lane, to: count, by: width) { body(index) }
        }
    }
}

do {
    defer { if arguments.count <= 1 { try? FileManager.default.removeItem(atPath: root) } }
    let store = try ChunkStore(root: root, capacity: 1 << 40, logger: logger)
    print("chunkstore-bench: \(count) chunks of 256 KiB, \(threads) cores, root \(root)")

    let first = makeChunks(seed: 1)
    let hashTime = ContinuousClock().measure { for (_, bytes) in first { _ = SHA256.hash(bytes) } }
    report("sha256 alone (floor)", hashTime, operations: count)

    let put: @Sendable ([(StoredChunkID, [UInt8])], Int) -> Void = { chunks, index in
        _ = try! store.put(chunks[index].0, chunks[index].1)
    }
    let get: @Sendable (Int) -> Void = { index in _ = try! store.get(first[index].0) }
    report("put, 1 thread, new dirs", measure(width: 1) { put(first, $0) }, operations: count)
    report("put again (already present)", measure(width: 1) { put(first, $0) }, operations: count)
    // Deleting leaves the directories, so this is the steady state of a populated store.
    for (id, _) in first { try store.delete(id) }
    report("put, 1 thread, warm dirs", measure(width: 1) { put(first, $0) }, operations: count)
    report("get, 1 thread", measure(width: 1, get), operations: count)
    report("get, \(threads) threads", measure(width: threads, get), operations: count)
    let second = makeChunks(seed: 2)
    report("put, \(threads) threads, new dirs", measure(width: threads) { put(second, $0) }, operations: count)
    try store.close()
} catch {
    FileHandle.standardError.write(Data("chunkstore-bench: \(error)\n".utf8))
    exit(1)
}
