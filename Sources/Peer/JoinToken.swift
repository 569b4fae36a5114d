import APIModel
import Codecs
import Home

/// `p2pnet1:<base32 network secret>@host:port,host:port[?n=3&w=2&g=600]` — everything a
/// new peer needs to join: the network secret (so it is itself a secret: share it like a
/// password), the addresses of peers to contact first, and the network settings fixed at
/// creation (replicas, write quorum, removal grace in seconds).
public struct JoinToken: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "p2pnet1:"

    public let networkSecret: [UInt8]
    public let seeds: [String]
    /// The network's settings; nil in a token that does not carry them.
    public let network: NetworkSettings?

    public init(networkSecret: [UInt8], seeds: [String], network: NetworkSettings? = nil) {
        self.networkSecret = networkSecret
        self.seeds = seeds
        self.network = network
    }

    public init(parsing text: String) throws(PeerHomeError) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix(Self.prefix) else {
            throw .badJoinToken("a join token starts with \(Self.prefix)")
        }
        let body = trimmed.dropFirst(Self.prefix.count)
        let parts = body.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { throw .badJoinToken("missing @host:port after the secret") }
        guard let secret = Base32.decode(parts[0]), secret.count == PeerHome.networkSecretSize else {
            throw .badJoinToken("the secret is not \(PeerHome.networkSecretSize) bytes of base32")
        }
        let addressAndSettings = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let seeds = addressAndSettings[0].split(separator: ",").map(String.init)
        guard !seeds.isEmpty, seeds.allSatisfy({ HostPort(parsing: $0) != nil }) else {
            throw .badJoinToken("seed addresses must be host:port")
        }
        var network: NetworkSettings?
        if addressAndSettings.count == 2 {
            var settings = NetworkSettings()
            for pair in addressAndSettings[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1)
                guard keyValue.count == 2, let value = Int(keyValue[1]) else { throw .badJoinToken("malformed setting \(pair)") }
                switch keyValue[0] {
                case "n": settings.replicas = value
                case "w": settings.writeQuorum = value
                case "g": settings.removalGraceSeconds = value
                case "c": settings.collectionGraceSeconds = value
                default: throw .badJoinToken("unknown setting \(keyValue[0])")
                }
            }
            if let problem = settings.problem { throw .badJoinToken(problem) }
            network = settings
        }
        self.init(networkSecret: secret, seeds: seeds, network: network)
    }

    public var description: String {
        var text = Self.prefix + Base32.encode(networkSecret) + "@" + seeds.joined(separator: ",")
        if let network {
            text += "?n=\(network.replicas)&w=\(network.writeQuorum)&g=\(network.removalGraceSeconds)"
            if let grace = network.collectionGraceSeconds { text += "&c=\(grace)" }
        }
        return text
    }
}
