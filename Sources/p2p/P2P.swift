import APIModel
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `p2p` command-line tool. Each subcommand lives in its own file.
@main
struct P2P: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2p",
        abstract: "Store and fetch files in a p2pstore network.",
        version: ReleaseVersion.current,
        subcommands: [
            PutCommand.self, GetCommand.self, ListCommand.self, RemoveCommand.self, LocateCommand.self, StatusCommand.self,
            SyncCommand.self, PeerCommand.self, NetworkCommand.self, DebugCommand.self,
            MountCommand.self, UnmountCommand.self, PinCommand.self, CacheCommand.self, S3Command.self, ChunkAliasCommand.self,
        ]
    )

    /// `--home` may come before the subcommand, as in `p2p --home DIR status`.
    @OptionGroup var home: HomeOption

    /// Runs the command, mapping failures to the documented exit codes: 2 for bad input or
    /// usage, 1 for operational failures, with one line on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            CLIError.report(error.message)
            Self.exit(withError: ExitCode(error.exitCode))
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Self.exit(withError: error)
            }
            let isUsage = code == .validationFailure || error is ValidationError
            let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            CLIError.report(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
            Self.exit(withError: ExitCode(isUsage ? 2 : 1))
        }
    }
}

/// A failure the CLI reports as one line on stderr with a chosen exit code.
struct CLIError: Error {
    var message: String
    var exitCode: Int32

    static func badInput(_ message: String) -> CLIError { CLIError(message: message, exitCode: 2) }
    static func failure(_ message: String) -> CLIError { CLIError(message: message, exitCode: 1) }

    static func report(_ message: String) {
        let line = Array("p2p: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
