import Membership

/// The stand-in signatures the unit tests and the simulated network use.
let checksums = ChecksumAuthenticator()

extension MemberRecord {
    /// The record with its member's (checksum) proof.
    func signed() -> MemberRecord {
        var copy = self
        copy.proof = checksums.prove(.alive(self))
        return copy
    }
}

extension MemberUpdate {
    /// A departure with its member's (checksum) proof.
    static func signedLeft(_ id: MemberID, incarnation: UInt64) -> MemberUpdate {
        .left(id, incarnation: incarnation, proof: checksums.prove(.left(id, incarnation: incarnation)))
    }
}
