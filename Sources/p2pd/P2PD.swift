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
        subcommands: [InitCommand.self, RunCommand.self, IDCommand.self, TokenCommand.self])

    /// Runs the command; errors become one line on stderr and exit 2 (bad input) or 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PeerHomeError {
            FileHandle.standardError.write(Data("p2pd: \(error)\n".utf8))
            switch error {
            case .alreadyExists, .badJoinToken, .badSetting: Foundation.exit(2)
            default: Foundation.exit(1)
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `--home`, shared by every subcommand.
struct HomeOption: ParsableArguments {
    @Option(name: .long, help: "Peer home folder (default: $P2P_HOME, else ~/.p2pstore).")
    var home: String?

    var peerHome: PeerHome { PeerHome(path: home ?? PeerHome.defaultPath()) }
}
