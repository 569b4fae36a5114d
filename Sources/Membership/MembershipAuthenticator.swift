/// Signs the local member's claims and checks other members' claims: the seam through
/// which the pure state machine gets its cryptography. The daemon uses the node's
/// Ed25519 key (`Peer.NodeKeyAuthenticator`); the simulator and unit tests use
/// `ChecksumAuthenticator`.
///
/// The state machine asks only for claims that would change its table (a new member,
/// a higher incarnation, a departure), never for repeats, so each claim is checked
/// about once per peer, and the local member signs once per incarnation.
public protocol MembershipAuthenticator: Sendable {
    /// The local member's proof of `claim`.
    func prove(_ claim: MemberClaim) -> MemberProof
    /// Whether `proof` is `claim.memberID`'s own proof of `claim`: the key must be the
    /// one the member id stands for, and the signature must check.
    func isAuthentic(_ claim: MemberClaim, proof: MemberProof) -> Bool
}
