import Foundation
import Codecs
import Content
import OpenSSLKit
import Records

/// The secret of a shared folder, as the text users copy between devices:
/// `p2pfolder2:` and base32 of 32 random bytes with a checksum, as capabilities have
/// (`CheckedBase32`), so a mistyped token is refused instead of making a new, empty
/// folder. Whoever holds it can read and change the
/// folder; peers that store its records and chunks never see it. Every key of the folder
/// is derived from it, each with its own label, so one key never serves two purposes.
public struct FolderToken: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "p2pfolder2:"
    /// Tokens made before the checksum: still read from the home, refused as input.
    static let uncheckedPrefix = "p2pfolder1:"
    public static let secretSize = 32

    let secret: [UInt8]
    /// The folder's owner key (`RecordEndorsement`): every device holding the token
    /// endorses its own device key with it, so storing peers admit to the folder's record
    /// key only devices of the folder, without ever seeing the token.
    package let ownerKey: Ed25519PrivateKey
    /// Where the folder's index records live on the ring — the hash of the owner's public
    /// key: one key per folder, under which every device keeps its own signed record.
    public let recordKey: [UInt8]

    /// A new folder's token.
    public static func generate() throws -> FolderToken {
        FolderToken(secret: try SecureRandom.bytes(count: secretSize))
    }

    init(secret: [UInt8]) {
        self.secret = secret
        // 32 bytes from HMAC-SHA256 are always a valid Ed25519 seed.
        ownerKey = try! Ed25519PrivateKey(seed: HMACSHA256.authenticate(key: secret, message: Array("p2p-folder-v2 owner key".utf8)))
        recordKey = RecordEndorsement.key(owner: ownerKey.publicKey.rawRepresentation)
    }

    public static func == (a: FolderToken, b: FolderToken) -> Bool { a.secret == b.secret }
    public func hash(into hasher: inout Hasher) { hasher.combine(secret) }

    /// Parses a token a user gave, accepting surrounding whitespace.
    public init(parsing text: String) throws(FolderSyncError) {
        let trimmed = CheckedBase32.trimmed(text)
        let lowercased = trimmed.lowercased()
        guard lowercased.hasPrefix(Self.prefix) else {
            if lowercased.hasPrefix(Self.uncheckedPrefix) {
                throw .invalidToken("\(Self.uncheckedPrefix) tokens have no checksum and are no longer accepted: run `p2p sync token DIR` on a device that syncs the folder for its \(Self.prefix) token")
            }
            if lowercased.hasPrefix(Capability.prefix) { throw .invalidToken("this is a file capability (\(Capability.prefix)), not a folder token") }
            if lowercased.hasPrefix("p2pnet1:") { throw .invalidToken("this is a network join token (p2pnet1:), not a folder token") }
            throw .invalidToken("a folder token starts with \(Self.prefix)")
        }
        do {
            self.init(secret: try CheckedBase32.decode(trimmed.dropFirst(Self.prefix.count), prefixLength: Self.prefix.count, payloadSize: Self.secretSize))
        } catch {
            switch error {
            case .wrongLength(let expected, let actual):
                throw .invalidToken("it has \(actual) characters after \(Self.prefix), expected \(expected) (truncated or extended?)")
            case .invalidCharacter(let character, let position):
                throw .invalidToken("invalid character \"\(character)\" at position \(position)")
            case .checksumMismatch: throw .invalidToken("checksum does not match: it was mistyped or altered")
            }
        }
    }

    /// Reads a token kept in the home, either form: folders added before the checksum keep
    /// their unchecked token file, and show the checked form from now on.
    public init(stored text: String) throws(FolderSyncError) {
        let trimmed = CheckedBase32.trimmed(text)
        guard trimmed.hasPrefix(Self.uncheckedPrefix) else {
            try self.init(parsing: text)
            return
        }
        guard let secret = Base32.decode(trimmed.dropFirst(Self.uncheckedPrefix.count)), secret.count == Self.secretSize else {
            throw .invalidToken("a stored \(Self.uncheckedPrefix) token holds \(Self.secretSize) bytes in base32")
        }
        self.init(secret: secret)
    }

    public var description: String { CheckedBase32.encode(prefix: Self.prefix, payload: secret) }


    /// Seals each device's index announcement (AES-256-GCM): storing peers learn nothing
    /// of names, sizes or capabilities.
    package var announcementKey: [UInt8] { derive("p2p-folder-v1 announcement key") }

    /// The folder's convergent-encryption secret: every device of the folder encrypts
    /// equal content to equal chunks (so a file moved or copied on one device is not
    /// downloaded again elsewhere), and peers outside the folder cannot confirm a guess.
    package var convergenceSecret: [UInt8] { derive("p2p-folder-v1 convergence secret") }

    /// A name for the folder that reveals nothing: for logs, file names and the API.
    public var folderID: String { String(Hex.encode(derive("p2p-folder-v1 id")).prefix(16)) }

    private func derive(_ label: String) -> [UInt8] {
        HMACSHA256.authenticate(key: secret, message: Array(label.utf8))
    }
}
