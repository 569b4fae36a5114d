import Home
import OpenSSLKit
import Transport

/// What the node engine reads from its home beyond the files a local client needs: its
/// TLS credentials, its NodeID and the join token it hands out.
extension PeerHome {
    public func credentials() throws -> PeerCredentials {
        let key = try Ed25519PrivateKey(pem: String(decoding: try readSecret("node.key"), as: UTF8.self))
        let certificate = try Certificate(pem: String(decoding: try readRequired("node.crt"), as: UTF8.self))
        guard certificate.ed25519PublicKey == key.publicKey else {
            throw PeerHomeError.unreadable(path: file("node.crt"), reason: "certificate does not match node.key")
        }
        return try PeerCredentials(certificate: certificate, privateKey: key, networkKeys: try networkKeys())
    }

    public func nodeID() throws -> NodeID {
        try NodeID(certificate: Certificate(pem: String(decoding: try readRequired("node.crt"), as: UTF8.self)))
    }

    /// A join token naming this peer's advertised address and its configured seeds.
    public func joinToken() throws -> JoinToken {
        let configuration = try configuration()
        let seeds = [configuration.advertise.description] + configuration.seeds.filter { $0 != configuration.advertise.description }
        return JoinToken(networkSecret: try networkSecret(), seeds: seeds, network: configuration.network)
    }
}
