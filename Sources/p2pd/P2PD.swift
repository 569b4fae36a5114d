import APIModel
import ArgumentParser
import Foundation
import Home
import Peer

/// `p2pd`: the peer daemon of p2pstore.
@main
struct P2PD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2pd",
        abstract: "The p2pstore peer daemon.",
        version: ReleaseVersion.current,
        subcommands: [InitCommand.self, RunCommand.self, IDCommand.self, TokenCommand.self, CheckCommand.self])

    /// Runs the command; errors become one line on stderr and exit 2 (bad input or usage,
    /// as `p2p`) or 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PeerHomeError {
            switch error {
            case .alreadyExists, .badJoinToken, .badSetting: fail("\(error)", code: 2)
            default: fail("\(error)", code: 1)
            }
        } catch let error as DaemonError {
            fail(error.description, code: error.exitCode)
        } catch {
            let code = exitCode(for: error)
            // --help and --version print their text and succeed.
            if code == .success { exit(withError: error) }
            let line = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line, code: code == .validationFailure ? 2 : 1)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("p2pd: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// `--home`, shared by every subcommand.
struct HomeOption: ParsableArguments {
    @Option(name: .long, help: "Peer home folder (default: $P2P_HOME, else ~/.p2pstore).")
    var home: String?

    var peerHome: PeerHome { PeerHome(path: home ?? PeerHome.defaultPath()) }
}
