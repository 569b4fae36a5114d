// chunkstore-bench [ROOT] [COUNT]
//
// Measures ChunkStore put and get throughput for 256 KiB chunks: one thread, then one thread
// per core. Prints one line per measurement; asserts nothing. ROOT defaults to a fresh
// directory under the system temp dir (removed afterwards); COUNT defaults to 400 (100 MiB).
import ChunkStore
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
        return (StoredChunkID(bytes: SHA256.hash(bytes))!, bytes)
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

    report("put, 1 thread", measure(width: 1) { index in _ = try! store.put(first[index].0, first[index].1) }, operations: count)
    report("put again (already present)", measure(width: 1) { index in _ = try! store.put(first[index].0, first[index].1) }, operations: count)
    report("get, 1 thread", measure(width: 1) { index in _ = try! store.get(first[index].0) }, operations: count)
    report("get, \(threads) threads", measure(width: threads) { index in _ = try! store.get(first[index].0) }, operations: count)

    let second = makeChunks(seed: 2)
    report("put, \(threads) threads", measure(width: threads) { index in _ = try! store.put(second[index].0, second[index].1) }, operations: count)
    try store.close()
} catch {
    FileHandle.standardError.write(Data("chunkstore-bench: \(error)\n".utf8))
    exit(1)
}
