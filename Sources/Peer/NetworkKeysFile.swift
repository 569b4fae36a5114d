import Codecs
import DurableFiles
import Foundation
import Home
import Transport

/// The network keys as JSON: in the home (`network.json`, mode 0600, beside
/// `network.secret`, which holds the key in force) and in the `networkKeys` RPC.
///
/// `{"version":1,"keys":[{"epoch":0,"secret":"<base32>"}],"revoked":["<NodeID>"],"eligible":["<NodeID>"]}`
struct NetworkKeysFile: Codable, Equatable {
    struct Key: Codable, Equatable {
        var epoch: UInt64
        var secret: String
    }

    static let name = "network.json"
    var version = 1
    var keys: [Key]
    var revoked: [String]
    var eligible: [String]

    init(_ networkKeys: NetworkKeys) {
        keys = networkKeys.keys.map { Key(epoch: $0.epoch, secret: Base32.encode($0.secret)) }
        revoked = networkKeys.revoked.map(\.description).sorted()
        eligible = networkKeys.eligible.map(\.description).sorted()
    }

    /// The keys, or nil when anything in the document is malformed (hostile input is
    /// refused whole).
    var networkKeys: NetworkKeys? {
        guard version == 1, !keys.isEmpty, keys.count <= NetworkKeys.maximumKeys,
            revoked.count <= NetworkKeys.maximumNodes, eligible.count <= NetworkKeys.maximumNodes else { return nil }
        var decoded: [NetworkKey] = []
        for key in keys {
            guard let secret = Base32.decode(key.secret), secret.count == PeerHome.networkSecretSize else { return nil }
            decoded.append(NetworkKey(epoch: key.epoch, secret: secret))
        }
        let revokedIDs = revoked.compactMap(NodeID.init), eligibleIDs = eligible.compactMap(NodeID.init)
        guard revokedIDs.count == revoked.count, eligibleIDs.count == eligible.count else { return nil }
        return NetworkKeys(keys: decoded, revoked: Set(revokedIDs), eligible: Set(eligibleIDs))
    }

    static func decode(_ bytes: [UInt8]) -> NetworkKeys? {
        (try? JSONDecoder().decode(NetworkKeysFile.self, from: Data(bytes)))?.networkKeys
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }
}

extension PeerHome {
    /// The network keys: `network.json` after a revocation, else the one secret.
    func networkKeys() throws -> NetworkKeys {
        guard FileManager.default.fileExists(atPath: file(NetworkKeysFile.name)) else { return NetworkKeys(secret: try networkSecret()) }
        guard let keys = NetworkKeysFile.decode(try readSecret(NetworkKeysFile.name)) else {
            throw PeerHomeError.unreadable(path: file(NetworkKeysFile.name), reason: "not a network key document")
        }
        return keys
    }

    /// Stores the keys durably: `network.json`, then `network.secret` (the key in force, so
    /// `p2pd token` hands out a token that works). Both 0600.
    func saveNetworkKeys(_ keys: NetworkKeys) throws {
        try DurableWrite.write(NetworkKeysFile(keys).encoded(), to: file(NetworkKeysFile.name), mode: 0o600)
        try DurableWrite.write(keys.current.secret, to: file("network.secret"), mode: 0o600)
    }
}
