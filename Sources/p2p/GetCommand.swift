import APIClient
import ArgumentParser
import Content
import Foundation

/// `p2p get CAP [-o FILE]`: fetches a file from the network through the local peer;
/// `p2p get -r CAP -o DIR` a directory stored with `p2p put -r`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Fetch a file by its capability, to stdout or to -o FILE.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The capability printed by `p2p put` (p2p1:…).") var capability: String
    @Option(name: .shortAndLong, help: "Write to this file (- for standard output); it appears only when complete.") var output: String?
    @Flag(help: "No progress bar.") var quiet = false
    @Flag(help: "Write binary output to a terminal anyway.") var force = false
    @Flag(name: .shortAndLong, help: "Fetch a directory (from `p2p put -r`) into -o DIR, which must not exist.") var recursive = false

    func run() async throws {
        try CLIError.validate(capability: capability)
        if recursive { return try await getTree() }
        let file = output == "-" ? nil : output
        // Checked before anything is fetched: a download that cannot be kept is not started.
        if let file { try Self.validate(output: file) }
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let destination = try file.map { try TemporaryFile(finalPath: $0) }
        let toTerminal = destination == nil && isatty(1) == 1
        // A bar on the terminal that also shows the file's bytes would garble both.
        let progress = ProgressBar(label: "get", quiet: quiet || toTerminal)
        let received = Received()
        do {
            _ = try await client.download(capability: capability, onLength: { progress.setTotal($0) }) { buffer in
                if toTerminal && !force && received.isFirst(), buffer.readableBytesView.contains(0) {
                    throw CLIError.badInput("refusing to write binary output to the terminal: use -o FILE, a pipe, or --force")
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    if let destination { try destination.write(bytes) } else { try TemporaryFile.writeAll(bytes, to: 1) }
                }
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

    private func getTree() async throws {
        guard let output, output != "-", !output.isEmpty else { throw CLIError.badInput("-r needs -o DIR: the directory to create") }
        var info = stat()
        if lstat(output, &info) == 0 { throw CLIError.badInput("-o \(output) exists: -r writes a new directory") }
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent().path
        guard stat(parent, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError.badInput("-o \(output): no such directory \(parent)")
        }
        let peerHome = home.resolved(before: root.home)
        var tree = TreeDownload(client: try APIClient.connecting(to: peerHome), home: peerHome)
        try await tree.fetch(capability, into: output)
        if !quiet { CLIError.report("wrote \(tree.files) files (\(tree.entries) entries) to \(output)") }
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
