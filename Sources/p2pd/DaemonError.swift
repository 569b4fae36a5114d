import API
import ChunkStore
import Foundation
import Home
import NIOCore
import Peer

/// A failure `p2pd` reports as one line that names the fix, with its exit code.
struct DaemonError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1

    /// The failures met when a peer starts, said in the user's terms: an address in use
    /// (with the config key that sets it), a home another `p2pd` already serves.
    static func explaining(_ error: any Error, home: PeerHome, configuration: PeerConfiguration) -> any Error {
        let config = home.file("config.json")
        if let api = error as? APIServerError, isAddressInUse(api.underlying) {
            return DaemonError(description: "cannot serve the API on \(api.address): the address is in use (another p2pd?); stop what holds it, or change \"api\" in \(config)")
        }
        if isAddressInUse(error) {
            return DaemonError(description: "cannot listen for peers on \(configuration.listen): the address is in use (another p2pd?); stop what holds it, or change \"listen\" in \(config)")
        }
        if let store = error as? ChunkStoreError, store.code == .locked {
            return DaemonError(description: "the home \(home.path) is already served by a running p2pd; stop it first, or give another --home")
        }
        return error
    }

    private static func isAddressInUse(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }
}
