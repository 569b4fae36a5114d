/// A value whose identity is 32 bytes — a NodeID, a chunk id as content, ring and store see
/// it. Every such type wraps the one storage type, `Identifier256`, so conversions between
/// them are total (`NodeID(member.id)`, `StoredChunkID(chunk.identifier)`), cost nothing and
/// never need a force-unwrap; each wrapper keeps its own text form and role.
public protocol Identified256: Hashable, Comparable, Sendable {
    /// The 32 bytes, as four big-endian words.
    var identifier: Identifier256 { get }
    init(_ identifier: Identifier256)
}

extension Identified256 {
    /// Exactly 32 bytes; `nil` for any other length (input from outside).
    public init?(bytes: some Collection<UInt8>) {
        guard let identifier = Identifier256(bytes: bytes) else { return nil }
        self.init(identifier)
    }

    /// The same 32 bytes under another role.
    public init(_ other: some Identified256) {
        self.init(other.identifier)
    }

    public var bytes: [UInt8] { identifier.bytes }

    /// Byte order, which is also ring order.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.identifier < rhs.identifier }
}
