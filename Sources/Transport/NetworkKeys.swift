import Codecs
import OpenSSLKit

/// One network secret and the epoch of the rotation that made it (0: the network's first).
public struct NetworkKey: Hashable, Sendable {
    public let epoch: UInt64
    public let secret: [UInt8]

    public init(epoch: UInt64, secret: [UInt8]) {
        self.epoch = epoch
        self.secret = secret
    }

    /// A short name for logs and for `p2p network status`: never the secret, and nothing
    /// that helps guess it (the first 8 bytes of a domain-separated hash).
    public var name: String {
        Base32.encode(Array(SHA256.hash(Array("p2pstore/network-key-name/v1".utf8) + secret).prefix(8)))
    }
}

/// The network's admission secrets and who is shut out (`p2p network revoke`,
/// docs/operations.md): pure values, merged the same way on every peer.
///
/// A revocation adds a key at the next epoch and the revoked NodeIDs. Concurrent
/// revocations add several keys at one epoch; the secret in force is then derived from all
/// of them (`current`), so every peer that has heard of the same revocations uses the same
/// secret whatever the order it heard of them, and every revocation stands. Older keys are
/// kept (the newest `maximumKeys`) so that a member that was away can still be admitted —
/// only a member the network knew (`eligible`) — and catch up.
public struct NetworkKeys: Sendable, Equatable {
    /// Keys kept, newest epochs first once trimmed.
    public static let maximumKeys = 16
    /// Bound on the revoked and eligible sets (each), as on the member table. Revocations
    /// beyond it are refused, never dropped: a revocation is never undone.
    public static let maximumNodes = 65_536
    /// How far ahead of the newest known epoch a received key may be.
    public static let maximumEpochStep: UInt64 = 1_024

    /// Every key still kept, sorted by epoch, then by name.
    public private(set) var keys: [NetworkKey]
    /// Members shut out for good: refused at admission whatever secret they prove.
    public private(set) var revoked: Set<NodeID>
    /// Members that may be admitted with an older key than the current one (to catch up).
    public private(set) var eligible: Set<NodeID>

    /// A network that never rotated: `secret` at epoch 0.
    public init(secret: [UInt8]) {
        keys = [NetworkKey(epoch: 0, secret: secret)]
        revoked = []
        eligible = []
    }

    public init(keys: [NetworkKey], revoked: Set<NodeID>, eligible: Set<NodeID>) {
        self.keys = keys
        self.revoked = revoked
        self.eligible = eligible
        normalize()
    }

    /// The newest epoch.
    public var epoch: UInt64 { keys.last?.epoch ?? 0 }

    /// The secret in force: the newest epoch's key, or, after concurrent revocations, one
    /// derived from all of that epoch's keys (by name order, so the same on every peer).
    public var current: NetworkKey {
        let newest = keys.filter { $0.epoch == epoch }
        guard newest.count > 1 else { return newest.first ?? NetworkKey(epoch: 0, secret: []) }
        let material = newest.flatMap(\.secret)
        return NetworkKey(epoch: epoch, secret: HMACSHA256.authenticate(key: Array("p2pstore/merged-network-secret/v1".utf8), message: material))
    }

    /// Keys an admission proof is checked against: the current one first, then the older.
    public var admissionKeys: [NetworkKey] {
        [current] + keys.reversed().filter { $0 != current }
    }

    /// A revocation: a new key at the next epoch; `nodes` shut out; the members that may
    /// catch up are the ones the network knew, without the revoked.
    public func revoking(_ nodes: Set<NodeID>, members: Set<NodeID>, secret: [UInt8]) -> NetworkKeys {
        var next = self
        next.keys.append(NetworkKey(epoch: epoch + 1, secret: secret))
        next.revoked.formUnion(nodes)
        next.eligible.formUnion(members)
        next.normalize()
        return next
    }

    /// Takes in what another peer knows: its keys, revocations and members. True when
    /// anything changed. Revocations are never undone.
    @discardableResult
    public mutating func merge(_ other: NetworkKeys) -> Bool {
        let before = self
        keys += other.keys.filter { !keys.contains($0) }
        revoked.formUnion(other.revoked)
        eligible.formUnion(other.eligible)
        normalize()
        return self != before
    }

    /// Whether a key received from another peer may be taken in: a plausible epoch and a
    /// 32-byte secret (hostile input is refused whole, never trimmed into something else).
    public func accepts(_ other: NetworkKeys) -> Bool {
        other.keys.allSatisfy { $0.secret.count == 32 && $0.epoch <= epoch + Self.maximumEpochStep }
            && other.keys.count <= Self.maximumKeys && revoked.union(other.revoked).count <= Self.maximumNodes
            && other.eligible.count <= Self.maximumNodes
    }

    private mutating func normalize() {
        // One entry per secret, at the highest epoch any peer gave it (a peer that joined
        // with a token knows the key in force only, at epoch 0).
        var epochs: [[UInt8]: UInt64] = [:]
        for key in keys { epochs[key.secret] = max(epochs[key.secret] ?? 0, key.epoch) }
        let unique = epochs.map { NetworkKey(epoch: $0.value, secret: $0.key) }.sorted { ($0.epoch, $0.name) < ($1.epoch, $1.name) }
        keys = Array(unique.suffix(Self.maximumKeys))
        eligible.subtract(revoked)
        if eligible.count > Self.maximumNodes { eligible = Set(eligible.sorted().prefix(Self.maximumNodes)) }
    }
}
