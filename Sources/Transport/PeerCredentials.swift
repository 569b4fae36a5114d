import OpenSSLKit

/// What a peer needs to talk to the network: its key and certificate (its identity) and
/// the network keys (its ticket in, rotated in place by revocations). Built once at
/// start-up and shared by every connection.
public struct PeerCredentials: Sendable {
    public let certificate: Certificate
    public let privateKey: Ed25519PrivateKey
    /// The secret it started with (the keyring has the one in force).
    public let networkSecret: [UInt8]
    public let keyring: AdmissionKeyring
    public let nodeID: NodeID
    public let tlsContext: TLSContext

    public init(
        certificate: Certificate, privateKey: Ed25519PrivateKey, networkSecret: [UInt8], networkKeys: NetworkKeys? = nil
    ) throws(OpenSSLError) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.networkSecret = networkSecret
        self.keyring = AdmissionKeyring(networkKeys ?? NetworkKeys(secret: networkSecret))
        self.nodeID = try NodeID(certificate: certificate)
        self.tlsContext = try TLSContext(certificate: certificate, privateKey: privateKey)
    }

    /// Fresh credentials with a new key: for tests and for `p2pd init`.
    public static func generate(networkSecret: [UInt8], commonName: String = "p2pstore peer") throws(OpenSSLError) -> PeerCredentials {
        let key = try Ed25519PrivateKey()
        let certificate = try Certificate.selfSigned(key: key, commonName: commonName)
        return try PeerCredentials(certificate: certificate, privateKey: key, networkSecret: networkSecret)
    }
}
