import APIClient
import APIModel
import ArgumentParser
import Foundation
import Mount

/// `p2p cache status|clear`: the peer's cache of chunks read from other peers.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Show or clear this peer's cache of chunks read from other peers.",
        subcommands: [Status.self, Clear.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Size, pins and hit counts of the chunk cache.")
        @OptionGroup var home: HomeOption
        @Flag(help: "Print the JSON document of GET /v1/cache.") var json = false

        func run() async throws {
            let status = try await CLIError.asking(home.peerHome) { try await $0.cacheStatus() }
            if json { return try NetworkCommand.printJSON(status) }
            print("""
                cache:    \(StatusTable.humanSize(status.usedBytes)) of \(StatusTable.humanSize(status.capacityBytes)) in \(status.chunks) chunks \
                (\(status.pinnedChunks) pinned, for \(status.pinnedFiles.count) pinned capabilities)
                reads:    \(status.localReads) from this peer's store, \(status.hits) from the cache, \(status.fetches) fetched from other peers
                """)
            if status.corrupt > 0 { print("corrupt:  \(status.corrupt) cached chunks did not match their id and were dropped") }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop every cached chunk that is not pinned.")
        @OptionGroup var home: HomeOption

        func run() async throws {
            let change = try await CLIError.asking(home.peerHome) { try await $0.clearCache() }
            print("dropped \(change.chunks) chunks (\(StatusTable.humanSize(change.bytes)))")
        }
    }
}

/// `p2p pin CAP|PATH` and `p2p pin --remove CAP|PATH`: keeps a file's (or a tree's) chunks
/// in this peer's cache, so it reads without the network. PATH is a file or directory
/// under a `p2p mount`.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Keep a file's or directory's chunks in this peer's cache (or --remove the pin).")

    @OptionGroup var home: HomeOption
    @Argument(help: "A capability, or a path under a `p2p mount`.") var target: String
    @Flag(help: "Remove the pin: the chunks may be evicted again.") var remove = false

    func run() async throws {
        let capability = try Self.capability(of: target)
        if remove {
            let change = try await CLIError.asking(home.peerHome) { try await $0.unpin(capability: capability) }
            print("unpinned \(change.chunks) chunks (\(StatusTable.humanSize(change.bytes)))")
        } else {
            let change = try await CLIError.asking(home.peerHome) { try await $0.pin(capability: capability) }
            print("pinned \(change.chunks) chunks (\(StatusTable.humanSize(change.bytes)))")
        }
    }

    /// The capability a target names: itself, or the one a mount gives a path (an extended attribute).
    static func capability(of target: String) throws -> String {
        if target.hasPrefix("p2p") && !FileManager.default.fileExists(atPath: target) {
            try CLIError.validate(capability: target)
            return target
        }
        guard let capability = FuseMount.capability(at: target) else {
            if !FileManager.default.fileExists(atPath: target) { throw CLIError.badInput("\(target) is neither a capability nor a path") }
            throw CLIError.badInput("\(target) is not a file or directory under a `p2p mount`")
        }
        return capability
    }
}
