import ArgumentParser
import Codecs
import Content
import OpenSSLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `p2p debug chunk FILE`: FastCDC cut points of a local file, without a daemon.
struct ChunkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunk",
        abstract: "Print the FastCDC chunks of a file (offset, length, SHA-256 of the plaintext)."
    )

    @Argument(help: "The file to chunk.")
    var file: String

    @Option(name: .customLong("avg-size"), help: "Average chunk size (K, M, G suffixes); min is 1/4 of it, max 4×.")
    var averageSize = ByteSize(bytes: FileEncoder.defaultAverageSize)

    @Flag(help: "Print JSON: {\"chunks\":[{\"offset\":0,\"length\":N,\"hash\":\"<sha256>\"},...]}.")
    var json = false

    func run() async throws {
        let parameters: FastCDC
        do {
            parameters = try FastCDC(averageSize: averageSize.bytes)
        } catch {
            throw CLIError.badInput("--avg-size: \(error)")
        }
        var isDirectory = stat()
        guard stat(file, &isDirectory) == 0 else {
            throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))")
        }
        guard isDirectory.st_mode & S_IFMT != S_IFDIR else {
            throw CLIError.badInput("cannot read \(file): it is a directory")
        }
        var output = OutputBuffer()
        var chunker = Chunker(parameters: parameters)
        var first = true
        let json = json
        func emit(_ chunk: Chunk, _ bytes: UnsafeRawBufferPointer) {
            let hash = Hex.encode(SHA256.hash(bytes))
            if json {
                output.write((first ? "" : ",") + "{\"offset\":\(chunk.offset),\"length\":\(chunk.length),\"hash\":\"\(hash)\"}")
            } else {
                output.write(pad("\(chunk.offset)", 14) + "  " + pad("\(chunk.length)", 10) + "  " + hash + "\n")
            }
            first = false
        }
        output.write(json ? "{\"chunks\":[" : pad("OFFSET", 14) + "  " + pad("LENGTH", 10) + "  SHA256\n")
        do {
            for try await block in FileBlocks(path: file) {
                block.withUnsafeBytes { chunker.append($0, chunk: emit) }
            }
        } catch let error as FileReadError {
            throw CLIError.badInput(error.description)
        }
        chunker.finish(chunk: emit)
        output.write(json ? "]}\n" : "")
        output.flush()
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Buffers stdout writes into large blocks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
