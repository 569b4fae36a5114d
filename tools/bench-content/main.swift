// Benchmark of the Content hot paths, used to choose the default average chunk size.
// Build and run in release: swift run -c release bench-content
// `bench-content store FILE memory|disk [ROOT]` instead stores one file (StoreBenchmark.swift);
// `bench-content small [ROOT]` times small files inlined or not (SmallFileBenchmark.swift).
import Content
import Dispatch
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let subcommands: [String: ([String]) async throws -> Void] = ["store": storeBenchmark, "small": smallFileBenchmark]
if let name = arguments.first, let subcommand = subcommands[name] {
    do {
        try await subcommand(Array(arguments.dropFirst()))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("bench-content: \(error)\n".utf8))
        exit(1)
    }
}

/// Cheap deterministic bytes (xorshift64*).
func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var output = [UInt8](repeating: 0, count: count)
    output.withUnsafeMutableBytes { buffer in
        let words = buffer.bindMemory(to: UInt64.self)
        for index in words.indices {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            words[index] = state &* 0x2545_F491_4F6C_DD1D
        }
    }
    return output
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func chunkLengths(_ bytes: [UInt8], _ parameters: FastCDC) -> [Int] {
    var chunker = Chunker(parameters: parameters)
    var lengths: [Int] = []
    bytes.withUnsafeBytes { chunker.append($0) { chunk, _ in lengths.append(chunk.length) } }
    chunker.finish { chunk, _ in lengths.append(chunk.length) }
    return lengths
}

let size = 256 * 1024 * 1024
let data = randomBytes(count: size, seed: 42)
let secret = [UInt8](repeating: 7, count: 32)
print("input: \(size >> 20) MiB of pseudo-random bytes; 1-byte edit test on a 64 MiB file")
print("| avg size | chunks | mean chunk | chunking GB/s | encode (chunk+hash+AES-GCM+store) MB/s | new chunks after 1-byte insert | new bytes stored |")
print("|---|---|---|---|---|---|---|")
for average in [64 * 1024, 256 * 1024, 1024 * 1024] {
    let parameters = try FastCDC(averageSize: average)
    _ = chunkLengths(Array(data.prefix(16 << 20)), parameters)
    var lengths: [Int] = []
    var best = Double.infinity
    for _ in 0..<3 {
        best = min(best, await seconds { lengths = chunkLengths(data, parameters) })
    }
    let chunkRate = Double(size) / best / 1e9

    let file = Array(data.prefix(64 << 20))
    let store = InMemoryChunkStore()
    let encoder = FileEncoder(sink: store, cipher: try ConvergentCipher(convergenceSecret: secret), parameters: parameters)
    let encodeTime = try await seconds { _ = try await encoder.encode(file) }
    let before = await store.ids
    let bytesBefore = await store.byteCount
    var edited = file
    edited.insert(0x55, at: file.count / 2)
    _ = try await encoder.encode(edited)
    let added = await store.ids.subtracting(before).count
    let addedBytes = await store.byteCount - bytesBefore
    let mean = size / lengths.count
    print("| \(average >> 10)K | \(lengths.count) | \(mean >> 10)K | \(String(format3(chunkRate))) | \(String(format3(Double(file.count) / encodeTime / 1e6))) | \(added - 1) data + 1 manifest | \(addedBytes >> 10) KiB (\(String(format3(Double(addedBytes) * 100 / Double(file.count))))%) |")
}

func format3(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
}
