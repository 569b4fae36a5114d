/// A stand-in for signatures in the simulator and in unit tests: the "key" is the member
/// id and the "signature" a 256-bit checksum of the claim. Cheap and deterministic, and
/// it lets tests forge claims that fail. **Not authentication**: anyone can compute it.
public struct ChecksumAuthenticator: MembershipAuthenticator {
    public init() {}

    public func prove(_ claim: MemberClaim) -> MemberProof {
        MemberProof(publicKey: claim.memberID, signatureHigh: Self.checksum(claim.signedBytes), signatureLow: Identifier256(words: 0, 0, 0, 0))
    }

    public func isAuthentic(_ claim: MemberClaim, proof: MemberProof) -> Bool {
        proof.publicKey == claim.memberID && proof == prove(claim)
    }

    /// Four FNV-1a lanes with different offsets.
    private static func checksum(_ bytes: [UInt8]) -> Identifier256 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9ce4_8422_2325_cbf2, 0x2325_cbf2_9ce4_8422)
        for byte in bytes {
            lanes.0 = (lanes.0 ^ UInt64(byte)) &* 0x100_0000_01b3
            lanes.1 = (lanes.1 ^ UInt64(byte)) &* 0x100_0000_01b3
            lanes.2 = (lanes.2 ^ UInt64(byte)) &* 0x100_0000_01b3
            lanes.3 = (lanes.3 ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Identifier256(words: lanes.0, lanes.1, lanes.2, lanes.3)
    }
}
