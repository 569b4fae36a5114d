import APIClient
import ArgumentParser
import Foundation

/// `p2p put FILE|-`: stores a file through the local peer and prints its capability.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Store a file (or stdin with -) and print its capability.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The file to store, or - for standard input.") var file: String
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let descriptor: Int32
        var length: UInt64?
        if file == "-" {
            descriptor = 0
        } else {
            var info = stat()
            guard stat(file, &info) == 0 else { throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))") }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw CLIError.badInput("\(file) is not a regular file") }
            descriptor = open(file, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))") }
            length = UInt64(info.st_size)
        }
        defer { if descriptor > 0 { close(descriptor) } }
        let client = try APIClient.connecting(to: peerHome)
        let progress = ProgressBar(label: "put", quiet: quiet)
        if let length { progress.setTotal(length) }
        let stored: APIClient.StoredFile
        do {
            stored = try await client.upload(length: length, read: { buffer in
                while true {
                    let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                    if count >= 0 { return count }
                    if errno != EINTR { throw CLIError.failure("reading \(file): \(String(cString: strerror(errno)))") }
                }
            }, progress: { progress.update($0) })
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        }
        progress.finish()
        print(stored.cap)
    }
}
