import Codecs

/// `p2pnet1:<base32 network secret>@host:port,host:port` — everything a new peer needs to
/// join: the network secret (so it is itself a secret: share it like a password) and
/// the addresses of peers to contact first.
public struct JoinToken: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "p2pnet1:"

    public let networkSecret: [UInt8]
    public let seeds: [String]

    public init(networkSecret: [UInt8], seeds: [String]) {
        self.networkSecret = networkSecret
        self.seeds = seeds
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
        let seeds = parts[1].split(separator: ",").map(String.init)
        guard !seeds.isEmpty, seeds.allSatisfy({ HostPort(parsing: $0) != nil }) else {
            throw .badJoinToken("seed addresses must be host:port")
        }
        self.init(networkSecret: secret, seeds: seeds)
    }

    public var description: String {
        Self.prefix + Base32.encode(networkSecret) + "@" + seeds.joined(separator: ",")
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
