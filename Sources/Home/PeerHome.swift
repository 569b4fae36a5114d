import Codecs
import DurableFiles
import Foundation
import OpenSSLKit

/// A peer's home folder: identity, secrets, configuration and data.
///
/// ```
/// node.key            Ed25519 private key, PKCS#8 PEM, 0600
/// node.crt            self-signed certificate (its SPKI hash is the NodeID)
/// network.secret      32 bytes, 0600: admission to the network
/// convergence.secret  32 bytes, 0600: this user's convergent-encryption secret
/// api.token           hex, 0600: bearer token of the local HTTP API
/// config.json         PeerConfiguration
/// data/               the chunk store
/// ```
public struct PeerHome: Sendable {
    public static let networkSecretSize = 32
    static let secretFiles = ["node.key", "network.secret", "convergence.secret", "api.token"]

    public let path: String

    public init(path: String) { self.path = path }

    public func file(_ name: String) -> String { path + "/" + name }
    public var dataDirectory: String { file("data") }
    /// Chunks read from other peers, kept for the next read (`ChunkCache`).
    public var cacheDirectory: String { file("cache") }

    /// The default home: `$P2P_HOME`, else `~/.p2pstore`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["P2P_HOME"], !home.isEmpty { return home }
        return (environment["HOME"] ?? ".") + "/.p2pstore"
    }

    /// Creates a new home: key, certificate, secrets, configuration. Refuses to touch a
    /// folder that already holds a home or anything else.
    public static func create(at path: String, configuration: PeerConfiguration, networkSecret: [UInt8]) throws -> PeerHome {
        let home = PeerHome(path: path)
        let manager = FileManager.default
        if manager.fileExists(atPath: home.file("config.json")) || manager.fileExists(atPath: home.file("node.key")) {
            throw PeerHomeError.alreadyExists(path: path)
        }
        if let contents = try? manager.contentsOfDirectory(atPath: path), !contents.isEmpty {
            throw PeerHomeError.alreadyExists(path: path)
        }
        try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try manager.createDirectory(atPath: home.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        let key = try Ed25519PrivateKey()
        let certificate = try Certificate.selfSigned(key: key, commonName: "p2pstore peer")
        try DurableWrite.write(Array(try key.pemRepresentation().utf8), to: home.file("node.key"), mode: 0o600)
        try DurableWrite.write(Array(try certificate.pemRepresentation().utf8), to: home.file("node.crt"))
        try DurableWrite.write(networkSecret, to: home.file("network.secret"), mode: 0o600)
        try DurableWrite.write(try SecureRandom.bytes(count: 32), to: home.file("convergence.secret"), mode: 0o600)
        try DurableWrite.write(Array(Hex.encode(try SecureRandom.bytes(count: 32)).utf8), to: home.file("api.token"), mode: 0o600)
        try home.save(configuration)
        return home
    }

    public func save(_ configuration: PeerConfiguration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try DurableWrite.write(Array(try encoder.encode(configuration)) + [0x0A], to: file("config.json"))
    }

    public func configuration() throws -> PeerConfiguration {
        let bytes = try readRequired("config.json")
        do {
            return try JSONDecoder().decode(PeerConfiguration.self, from: Data(bytes))
        } catch {
            throw PeerHomeError.unreadable(path: file("config.json"), reason: "\(error)")
        }
    }

    public func networkSecret() throws -> [UInt8] {
        let secret = try readSecret("network.secret")
        guard secret.count == Self.networkSecretSize else {
            throw PeerHomeError.unreadable(path: file("network.secret"), reason: "expected \(Self.networkSecretSize) bytes")
        }
        return secret
    }

    public func convergenceSecret() throws -> [UInt8] { try readSecret("convergence.secret") }

    public func apiToken() throws -> String {
        String(decoding: try readSecret("api.token"), as: UTF8.self).trimmingWhitespace()
    }

    package func readRequired(_ name: String) throws -> [UInt8] {
        guard let bytes = try DurableWrite.read(file(name)) else {
            if !FileManager.default.fileExists(atPath: file("config.json")) { throw PeerHomeError.notInitialized(path: path) }
            throw PeerHomeError.unreadable(path: file(name), reason: "missing")
        }
        return bytes
    }

    /// Reads a secret and refuses it when others can read it, as ssh does.
    package func readSecret(_ name: String) throws -> [UInt8] {
        let bytes = try readRequired(name)
        // stat(2), not FileManager's attributes: those also look the owner up in /etc/passwd.
        var info = stat()
        guard stat(file(name), &info) == 0 else {
            throw PeerHomeError.unreadable(path: file(name), reason: String(cString: strerror(errno)))
        }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw PeerHomeError.insecurePermissions(path: file(name), mode: mode) }
        return bytes
    }
}
