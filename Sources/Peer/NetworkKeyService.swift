import APIModel
import Foundation
import Home
import Logging
import Membership
import NIOCore
import OpenSSLKit
import Transport

/// Why a revocation was refused (`p2p network revoke`).
public enum RevocationError: Error, Equatable, CustomStringConvertible {
    case revokingSelf
    case unknownPeer(String)
    case noPeers
    case cannotSave(String)

    public var description: String {
        switch self {
        case .revokingSelf: "a peer cannot revoke itself: run the revocation from another member"
        case .unknownPeer(let id): "no member \(id) in this peer's membership (see p2p peer list)"
        case .noPeers: "name at least one NodeID to revoke"
        case .cannotSave(let reason): "cannot store the new network keys: \(reason)"
        }
    }
}

/// Revocation by secret rotation (docs/operations.md): a new network key that every member
/// but the revoked gets, sealed to its node key (`SealedNetworkKeys`) and sent over a TLS
/// session that only the holder of that key can complete; members that were away fetch it
/// when they come back, sealed to theirs. Keys from other members
/// are merged (`NetworkKeys.merge`), so concurrent revocations all stand and end in one
/// secret. The keyring changes in place: connections admitted earlier stay, revoked
/// members' are closed, every new one uses the keys in force.
actor NetworkKeyService {
    let keyring: AdmissionKeyring
    let home: PeerHome
    /// This peer's node key: opens the keys sealed to it.
    let nodeKey: Ed25519PrivateKey
    let localID: NodeID
    let calls: any PeerCalls
    let membership: MembershipDriver
    let logger: Logger
    /// Closes the revoked members' connections (the node's server and pool).
    private var closeRevoked: (@Sendable (Set<NodeID>) async -> Void)?
    /// Peers a catch-up is asking right now.
    private var catchingUp: Set<NodeID> = []

    /// The longest key document read from another peer.
    static let maximumDocument = 8 << 20

    init(
        keyring: AdmissionKeyring, home: PeerHome, nodeKey: Ed25519PrivateKey, localID: NodeID, calls: any PeerCalls,
        membership: MembershipDriver, logger: Logger
    ) {
        self.keyring = keyring
        self.home = home
        self.nodeKey = nodeKey
        self.localID = localID
        self.calls = calls
        self.membership = membership
        self.logger = logger
    }

    func onRevoked(_ handler: @escaping @Sendable (Set<NodeID>) async -> Void) {
        closeRevoked = handler
    }

    /// Applies the revocations known at start (the membership does not place them).
    func start() async {
        await membership.setRevoked(Set(keyring.keys.revoked.map(\.identifier)))
    }

    /// Revokes `nodes`: a new key for every other member, told before this peer switches
    /// to it (so they are reached with the keys they hold); the answers are merged in.
    func revoke(_ nodes: Set<NodeID>) async throws(RevocationError) -> NetworkRevocation {
        guard !nodes.isEmpty else { throw .noPeers }
        guard !nodes.contains(localID) else { throw .revokingSelf }
        let members = await membership.members
        let known = Set(members.map { NodeID($0.id) })
        let keys = keyring.keys
        for node in nodes where !known.contains(node) && !keys.eligible.contains(node) && !keys.revoked.contains(node) {
            throw .unknownPeer(node.description)
        }
        let secret: [UInt8]
        do { secret = try SecureRandom.bytes(count: PeerHome.networkSecretSize) } catch { throw .cannotSave("\(error)") }
        var next = keys.revoking(nodes, members: known.subtracting(nodes), secret: secret)
        let others = members.filter { $0.isActive && $0.id != localID.identifier && !next.revoked.contains(NodeID($0.id)) }
        logger.notice("revoking", metadata: ["peers": "\(nodes.map(\.short).sorted())", "epoch": "\(next.epoch)", "members": "\(others.count)"])
        let answers = await exchange(next, with: others.map { ($0.address, NodeID($0.id)) })
        for answer in answers.compactMap({ $0 }) where next.accepts(answer) { next.merge(answer) }
        do { try adopt(next, from: "this peer") } catch { throw .cannotSave("\(error)") }
        await applyRevocations()
        let now = keyring.keys
        return NetworkRevocation(
            epoch: now.epoch, key: now.current.name, revoked: now.revoked.map(\.description).sorted(),
            told: answers.count { $0 != nil }, members: others.count)
    }

    /// Answers `networkKeys`: merges the caller's keys, answers with this peer's, sealed to
    /// the caller's node key (the one its TLS identity hashes to).
    func answer(_ request: RPCRequest) async throws -> ByteBuffer {
        guard request.payload.readableBytes <= Self.maximumDocument,
              let document = SealedNetworkKeys.decode(Array(request.payload.readableBytesView)),
              document.isSent(by: request.peer), let callerKey = document.senderKey
        else { throw RPCError.badRequest("network keys: not a key document of the caller's node key") }
        if !document.keys.isEmpty {
            guard let theirs = document.open(with: nodeKey, as: localID), keyring.keys.accepts(theirs) else {
                throw RPCError.badRequest("network keys: keys that do not open with this peer's node key, or out of bounds")
            }
            if try adopt(theirs, from: request.peer.short) { await applyRevocations() }
        }
        return ByteBuffer(bytes: try SealedNetworkKeys(
            keyring.keys, sender: nodeKey.publicKey, recipient: (request.peer, callerKey)).encoded())
    }

    /// This peer was admitted with an older key than `peer`'s (connected at `address`):
    /// fetch its keys. A peer that just restarted may not know it as a member yet.
    func catchUp(from peer: NodeID, at address: String?) async {
        guard !catchingUp.contains(peer), let address = await membership.member(peer.identifier)?.address ?? address else { return }
        catchingUp.insert(peer)
        defer { catchingUp.remove(peer) }
        guard let theirs = await exchange(keyring.keys, with: [(address, peer)]).first ?? nil, keyring.keys.accepts(theirs) else { return }
        do {
            if try adopt(theirs, from: peer.short) { await applyRevocations() }
        } catch {
            logger.error("cannot store the network keys", metadata: ["error": "\(error)"])
        }
    }

    /// Sends `keys` to each peer at once, sealed to its node key (as the membership knows
    /// it; without it, a request for the peer's keys only); each one's answer, nil where it
    /// failed.
    private func exchange(_ keys: NetworkKeys, with peers: [(address: String, node: NodeID)]) async -> [NetworkKeys?] {
        var payloads: [NodeID: ByteBuffer] = [:]
        for peer in peers {
            let recipient = await nodeKey(of: peer.node).map { (peer.node, $0) }
            guard let document = try? SealedNetworkKeys(keys, sender: nodeKey.publicKey, recipient: recipient) else { continue }
            payloads[peer.node] = ByteBuffer(bytes: document.encoded())
        }
        let calls = calls, logger = logger, nodeKey = nodeKey, localID = localID
        return await withTaskGroup(of: NetworkKeys?.self) { group in
            for peer in peers {
                guard let payload = payloads[peer.node] else { continue }
                group.addTask {
                    do {
                        let answer = try await calls.call(.networkKeys, payload, at: peer.address, expecting: peer.node, timeout: .seconds(5))
                        return SealedNetworkKeys.decode(Array(answer.readableBytesView))?.open(with: nodeKey, as: localID)
                    } catch {
                        logger.warning("network keys not exchanged", metadata: ["peer": "\(peer.node.short)", "error": "\(error)"])
                        return nil
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// A member's node public key, from its signed membership record (checked to hash to its NodeID).
    private func nodeKey(of node: NodeID) async -> Ed25519PublicKey? {
        guard let key = await membership.member(node.identifier)?.record.proof.publicKey.bytes,
              NodeKeyAuthenticator.memberID(ofPublicKey: key).map(NodeID.init) == node
        else { return nil }
        return try? Ed25519PublicKey(rawRepresentation: key)
    }

    /// Merges `keys` into the keyring; stores them first when anything changed. True then.
    @discardableResult
    private func adopt(_ keys: NetworkKeys, from source: String) throws -> Bool {
        var merged = keyring.keys
        guard merged.merge(keys) else { return false }
        try home.saveNetworkKeys(merged)
        keyring.update { $0 = merged }
        logger.notice("network keys changed", metadata: [
            "epoch": "\(merged.epoch)", "key": "\(merged.current.name)", "revoked": "\(merged.revoked.count)", "from": "\(source)",
        ])
        if merged.revoked.contains(localID) { logger.error("this peer was revoked from the network: no member admits it any more") }
        return true
    }

    /// Takes the revoked members out of the membership's placement and closes their connections.
    private func applyRevocations() async {
        let revoked = keyring.keys.revoked
        await membership.setRevoked(Set(revoked.map(\.identifier)))
        await closeRevoked?(revoked)
    }
}
