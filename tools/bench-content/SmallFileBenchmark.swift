import ChunkStore
import Content
import Dispatch
import Foundation
import Logging

/// `bench-content small [ROOT]`: per-file cost of small files with and without inlining in
/// the root node (docs/formats.md, "Inline file root"), at sizes around the candidate limits.
/// Memory: encode + full decode, and `info` (a metadata-only read of the root), in µs.
/// Disk: encode into a fresh `ChunkStore` under ROOT (every chunk fsynced) and read back, in ms.
func smallFileBenchmark(arguments: [String]) async throws {
    let root = arguments.first ?? NSTemporaryDirectory() + "bench-small-\(UUID())"
    var logger = Logger(label: "bench-content")
    logger.logLevel = .warning
    let cipher = try ConvergentCipher(convergenceSecret: [UInt8](repeating: 7, count: 32))
    let sizes = [1024, 4096, 16 * 1024, 32 * 1024, 64 * 1024]
    print("| size | inline | chunks/file | memory encode+decode µs | memory info µs | disk encode ms | disk decode ms |")
    print("|---|---|---|---|---|---|---|")
    for size in sizes {
        for inline in [false, true] {
            let limit = inline ? FileEncoder.defaultInlineLimit : 0
            let memory = InMemoryChunkStore()
            let files = (0..<1000).map { randomBytes(count: size, seed: UInt64($0 + 1) * 7919 + UInt64(size)) }
            var capabilities: [Capability] = []
            let encoder = FileEncoder(sink: memory, cipher: cipher, inlineLimit: limit)
            let decoder = FileDecoder(source: memory)
            let memoryTime = try await seconds {
                for file in files {
                    let capability = try await encoder.encode(file).capability
                    capabilities.append(capability)
                    _ = try await decoder.read(capability)
                }
            }
            let infoTime = try await seconds { for capability in capabilities { _ = try await decoder.info(capability) } }
            let chunksPerFile = Double(await memory.count) / Double(files.count)

            let store = try ChunkStore(root: "\(root)/\(size)-\(inline)", capacity: 1 << 34, logger: logger)
            let disk = ChunkStoreSink(store: store)
            let diskFiles = files.prefix(100)
            var diskCapabilities: [Capability] = []
            let diskEncoder = FileEncoder(sink: disk, cipher: cipher, inlineLimit: limit)
            let diskPut = try await seconds {
                for file in diskFiles { diskCapabilities.append(try await diskEncoder.encode(file).capability) }
            }
            let diskGet = try await seconds {
                for capability in diskCapabilities { _ = try await FileDecoder(source: disk).read(capability) }
            }
            try store.close()
            print("| \(size >> 10) KiB | \(inline ? "yes" : "no") | \(format3(chunksPerFile)) "
                + "| \(format3(memoryTime / Double(files.count) * 1e6)) | \(format3(infoTime / Double(files.count) * 1e6)) "
                + "| \(format3(diskPut / Double(diskFiles.count) * 1e3)) | \(format3(diskGet / Double(diskFiles.count) * 1e3)) |")
        }
    }
}
