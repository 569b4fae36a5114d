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
    @Option(name: .shortAndLong, help: "Write to this file (- for standard output); it appears only when complete.") var output: String?
    @Flag(help: "No progress bar.") var quiet = false
    @Flag(help: "Write binary output to a terminal anyway.") var force = false

    func run() async throws {
        try CLIError.validate(capability: capability)
        let file = output == "-" ? nil : output
        // Checked before anything is fetched: a download that cannot be kept is not started.
        if let file { try Self.validate(output: file) }
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let destination = try file.map { try TemporaryFile(finalPath: $0) }
        let descriptor = destination?.descriptor ?? 1
        let toTerminal = destination == nil && isatty(1) == 1
        // A bar on the terminal that also shows the file's bytes would garble both.
        let progress = ProgressBar(label: "get", quiet: quiet || toTerminal)
        let received = Received()
        do {
            _ = try await client.download(capability: capability, onLength: { progress.setTotal($0) }) { buffer in
                if toTerminal && !force && received.isFirst(), buffer.readableBytesView.contains(0) {
                    throw CLIError.badInput("refusing to write binary output to the terminal: use -o FILE, a pipe, or --force")
                }
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

    /// Refuses an `-o` that cannot become the file: empty, a directory, in a missing directory.
    static func validate(output path: String) throws {
        guard !path.isEmpty else { throw CLIError.badInput("-o needs a file name (or - for standard output)") }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError.badInput("-o \(path) is a directory: give a file name, such as -o \(path.hasSuffix("/") ? path : path + "/")NAME")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard stat(parent, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError.badInput("-o \(path): no such directory \(parent)")
        }
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
    private var buffers = 0
    func add(_ count: UInt64) -> UInt64 { lock.withLock { total += count; return total } }
    /// True for the first call only: the first buffer is the one looked at for binary.
    func isFirst() -> Bool { lock.withLock { buffers += 1; return buffers == 1 } }
}
