import OpenSSLKit

/// What a peer needs to talk to the network: its key and certificate (its identity) and
/// the network keys (its ticket in, rotated in place by revocations). Built once at
/// start-up and shared by every connection.
public struct PeerCredentials: Sendable {
    public let certificate: Certificate
    public let privateKey: Ed25519PrivateKey
    /// The network keys in force (rotated in place by revocations).
    public let keyring: AdmissionKeyring
    public let nodeID: NodeID
    public let tlsContext: TLSContext

    public init(certificate: Certificate, privateKey: Ed25519PrivateKey, networkKeys: NetworkKeys) throws(OpenSSLError) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.keyring = AdmissionKeyring(networkKeys)
        self.nodeID = try NodeID(certificate: certificate)
        self.tlsContext = try TLSContext(certificate: certificate, privateKey: privateKey)
    }

    /// Credentials for a network that never rotated its secret.
    public init(certificate: Certificate, privateKey: Ed25519PrivateKey, networkSecret: [UInt8]) throws(OpenSSLError) {
        try self.init(certificate: certificate, privateKey: privateKey, networkKeys: NetworkKeys(secret: networkSecret))
    }

    /// Fresh credentials with a new key: for tests and for `p2pd init`.
    public static func generate(networkSecret: [UInt8], commonName: String = "p2pstore peer") throws(OpenSSLError) -> PeerCredentials {
        let key = try Ed25519PrivateKey()
        let certificate = try Certificate.selfSigned(key: key, commonName: commonName)
        return try PeerCredentials(certificate: certificate, privateKey: key, networkSecret: networkSecret)
    }
}
