import Codecs

/// What only a member itself may say about itself: its record at an incarnation
/// (`alive`), or that it left at an incarnation. Other members relay these claims with
/// the member's own `MemberProof`; observations (`suspect`, `dead`) need none, since
/// Lifeguard's refutation answers them.
public enum MemberClaim: Hashable, Sendable {
    /// "This is my record": address, zone, capacity, load figures and incarnation.
    case alive(MemberRecord)
    /// "I left at this incarnation."
    case left(MemberID, incarnation: UInt64)

    /// Domain separation: these bytes are signed with the node key, which also signs TLS
    /// handshakes and folder records.
    static let domain = Array("p2pstore/member/v2".utf8)

    /// The member making the claim.
    public var memberID: MemberID {
        switch self {
        case .alive(let record): record.id
        case .left(let id, _): id
        }
    }

    /// The incarnation claimed.
    public var incarnation: UInt64 {
        switch self {
        case .alive(let record): record.incarnation
        case .left(_, let incarnation): incarnation
        }
    }

    /// The bytes the member signs: the domain, a kind byte and every claimed field.
    public var signedBytes: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(raw: Self.domain)
        switch self {
        case .alive(let record):
            writer.byte(1)
            writer.recordFields(record)
        case .left(let id, let incarnation):
            writer.byte(2)
            writer.id(id)
            writer.varint(incarnation)
        }
        return writer.bytes
    }
}
