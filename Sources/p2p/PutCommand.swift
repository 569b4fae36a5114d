import APIClient
import APIModel
import ArgumentParser
import Foundation
import Home

/// `p2p put FILE|-` and `p2p put -r DIR`: stores a file (or a tree) through the local peer
/// and prints its capability.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Store a file (or stdin with -, or a directory with -r) and print its capability.")

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption
    @Argument(help: "The file to store, - for standard input, or a directory with -r.") var file: String
    @Flag(name: .shortAndLong, help: "Store a directory and everything in it; print one directory capability.") var recursive = false
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        if recursive { return try await putTree(home: peerHome) }
        let descriptor: Int32
        var length: UInt64?
        if file == "-" {
            descriptor = 0
        } else {
            var info = stat()
            guard stat(file, &info) == 0 else { throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))") }
            if (info.st_mode & S_IFMT) == S_IFDIR { throw CLIError.badInput("\(file) is a directory: `p2p put -r \(file)` stores it") }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw CLIError.badInput("\(file) is not a regular file") }
            descriptor = open(file, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CLIError.badInput("cannot read \(file): \(String(cString: strerror(errno)))") }
            length = UInt64(info.st_size)
        }
        defer { if descriptor > 0 { close(descriptor) } }
        let client = try APIClient.connecting(to: peerHome)
        let progress = ProgressBar(label: "put", quiet: quiet)
        if let length { progress.setTotal(length) }
        let cap = try await TreeUpload.upload(
            descriptor: descriptor, name: file, length: length, client: client, home: peerHome, progress: progress)
        progress.finish()
        print(cap)
    }

    private func putTree(home peerHome: PeerHome) async throws {
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError.badInput("-r needs a directory: \(file) is not one")
        }
        let client = try APIClient.connecting(to: peerHome)
        let owned: Set<String>
        do {
            // Only files owned as a tree's are taken from the cache: one owned as a plain put
            // alone must be stored as a tree's too, or `p2p rm` of that put would break the tree.
            owned = Set(try await client.ownedFiles().files.filter { $0.source == OwnedFiles.File.treeFileSource }.map(\.cap))
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        }
        var tree = TreeUpload(
            client: client, home: peerHome, progress: ProgressBar(label: "put", quiet: true), cache: PutCache(home: peerHome), owned: owned)
        let cap = try await tree.store(directory: file)
        // The files stored now are owned as well: keep them for the next run.
        try? tree.cache.save(owned: owned)
        if !quiet { CLIError.report("stored \(tree.files) files (\(tree.unchanged) unchanged since the last put -r) in \(tree.directories) directories") }
        print(cap)
    }
}
