import ArgumentParser

/// `p2p debug …`: tools for looking inside, kept out of the user's list of commands.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Look inside: the FastCDC chunks of a local file (`debug chunk`).",
        subcommands: [ChunkCommand.self])
}

/// `p2p chunk …`, the name DESIGN.md fixed before `p2p debug chunk`: still accepted for
/// scripts, no longer listed.
struct ChunkAliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chunk", shouldDisplay: false)
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() async throws {
        let command = try ChunkCommand.parse(arguments)
        try await command.run()
    }
}
