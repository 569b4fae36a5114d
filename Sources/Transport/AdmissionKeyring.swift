import Synchronization

/// The network keys every connection of this peer is admitted with, shared by all of them
/// and changed in place when the network rotates its secret (`NetworkKeys`). A connection
/// admitted earlier stays as it is; the next ones use the keys in force.
public final class AdmissionKeyring: Sendable {
    /// What the accepting side of a connection decided about the other's proof.
    public enum Decision: Equatable, Sendable {
        /// Admitted with `key`, the current one.
        case admitted(key: [UInt8])
        /// Admitted with an older key: the caller is a member that has not caught up. The
        /// answer is proved with the same key and marked stale, so it learns it is behind.
        case behind(key: [UInt8])
        case refused(String)
    }

    private let state: Mutex<NetworkKeys>
    private let behindHandler = Mutex<(@Sendable (NodeID, String?) -> Void)?>(nil)

    public init(_ keys: NetworkKeys) {
        state = Mutex(keys)
    }

    public var keys: NetworkKeys { state.withLock { $0 } }

    /// Changes the keys; returns what `body` returns.
    public func update<Result>(_ body: (inout NetworkKeys) -> Result) -> Result {
        state.withLock { body(&$0) }
    }

    /// Called with the NodeID and address (`host:port`) of a peer that admitted this one
    /// with an older key than its own: this peer is behind and should fetch that peer's keys.
    public func onBehind(_ handler: @escaping @Sendable (NodeID, String?) -> Void) {
        behindHandler.withLock { $0 = handler }
    }

    func reportBehind(_ peer: NodeID, at address: String?) {
        behindHandler.withLock { $0 }?(peer, address)
    }

    /// The accepting side's check of a proof: refused for a revoked member; admitted with
    /// the current key; admitted with an older key only for a member the network knew.
    func decide(proof: [UInt8], exporter: [UInt8], sender: NodeID) -> Decision {
        let keys = keys
        if keys.revoked.contains(sender) { return .refused("revoked by the network (p2p network revoke)") }
        var reason = "wrong network secret"
        for (index, key) in keys.admissionKeys.enumerated() {
            guard let refusal = AdmissionProof.refusal(of: proof, secret: key.secret, exporter: exporter, sender: sender) else {
                if index == 0 { return .admitted(key: key.secret) }
                guard keys.eligible.contains(sender) else {
                    return .refused("stale network secret from a peer the network did not know (an old join token: ask a member for `p2pd token`)")
                }
                return .behind(key: key.secret)
            }
            if refusal != "wrong network secret" { reason = refusal; break }
        }
        return .refused(reason)
    }
}
