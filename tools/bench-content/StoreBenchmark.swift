import ChunkStore
import Content
import Dispatch
import Foundation
import Logging

/// `bench-content store FILE memory|disk [ROOT]`: encodes FILE (read in 1 MiB blocks)
/// into an in-memory store or a fresh `ChunkStore` at ROOT, and prints `key=value` lines:
/// throughput, chunk count, and the process's peak RSS (VmHWM) at the end.
func storeBenchmark(arguments: [String]) async throws {
    guard arguments.count >= 2, ["memory", "disk"].contains(arguments[1]) else {
        throw StoreBenchmarkError("usage: bench-content store FILE memory|disk [ROOT]")
    }
    let path = arguments[0]
    var logger = Logger(label: "bench-content")
    logger.logLevel = .warning
    let sink: any ChunkSink
    var store: ChunkStore?
    if arguments[1] == "disk" {
        let root = arguments.count > 2 ? arguments[2] : NSTemporaryDirectory() + "bench-content-\(UUID())"
        store = try ChunkStore(root: root, capacity: 1 << 40, logger: logger)
        sink = ChunkStoreSink(store: store!)
    } else {
        sink = InMemoryChunkStore()
    }
    let encoder = FileEncoder(sink: sink, cipher: try ConvergentCipher(convergenceSecret: [UInt8](repeating: 7, count: 32)))
    let start = DispatchTime.now().uptimeNanoseconds
    let encoded = try await encoder.encode(contentsOfFile: path)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    try store?.close()
    print("sink=\(arguments[1])")
    print("bytes=\(encoded.size)")
    print("chunks=\(encoded.chunkCount)")
    print("seconds=\(String(format: "%.3f", seconds))")
    print("mib_per_s=\(String(format: "%.1f", Double(encoded.size) / seconds / 1_048_576))")
    print("peak_rss_kib=\(peakResidentKiB())")
}

/// VmHWM from /proc/self/status: the most resident memory this process has had.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

struct StoreBenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
