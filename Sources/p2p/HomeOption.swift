import ArgumentParser
import Home

/// `--home`: the peer whose API `p2p` talks to (default: `$P2P_HOME`, else `~/.p2pstore`).
struct HomeOption: ParsableArguments {
    @Option(name: .long, help: "Peer home folder (default: $P2P_HOME, else ~/.p2pstore).")
    var home: String?

    var peerHome: PeerHome { PeerHome(path: home ?? PeerHome.defaultPath()) }

    /// The subcommand's `--home`, else the one given before the subcommand, else the default.
    func resolved(before parent: HomeOption) -> PeerHome {
        PeerHome(path: home ?? parent.home ?? PeerHome.defaultPath())
    }
}
