import APIClient
import ArgumentParser
import Content
import Foundation

/// `p2p get CAP [-o FILE]`: fetches a file from the network through the local peer.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Fetch a file by its capability, to stdout or to -o FILE.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The capability printed by `p2p put` (p2p1:…).") var capability: String
    @Option(name: .shortAndLong, help: "Write to this file; it appears only when complete.") var output: String?
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        try CLIError.validate(capability: capability)
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let destination = try output.map { try TemporaryFile(finalPath: $0) }
        let descriptor = destination?.descriptor ?? 1
        let progress = ProgressBar(label: "get", quiet: quiet)
        let received = Received()
        do {
            _ = try await client.download(capability: capability, onLength: { progress.setTotal($0) }) { buffer in
                try buffer.withUnsafeReadableBytes { try Self.writeAll($0, to: descriptor) }
                progress.update(received.add(UInt64(buffer.readableBytes)))
            }
            try destination?.commit()
        } catch let error as APIClientError {
            destination?.discard()
            throw CLIError.from(error, home: peerHome, capability: capability)
        } catch {
            destination?.discard()
            throw error
        }
        progress.finish()
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError.failure("writing the output: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// Bytes received so far, shared with the download callback.
private final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var total: UInt64 = 0
    func add(_ count: UInt64) -> UInt64 { lock.withLock { total += count; return total } }
}
