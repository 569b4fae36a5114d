/// Consistent-hashing placement: a pure function of the member set.
///
/// Every peer builds the same `Ring` from the same members, whatever order it learns
/// them in. A key's ring position is the first 8 bytes of its chunk id (big-endian);
/// the key belongs to the first token at or after that position, clockwise. Each member
/// has virtual nodes (tokens) in proportion to its capacity; the preference list of a
/// token — the first `replicas` distinct members clockwise, one per zone while enough
/// zones exist — is computed once when the ring is built, so a lookup is a table-guided
/// binary search plus a copy of at most `replicas` members.
public struct Ring: Sendable {
    /// The placement settings this ring was built with.
    public let configuration: RingConfiguration
    /// The members, sorted by id and without duplicate ids.
    public let members: [RingMember]
    /// The length of every preference list: `min(replicas, members with tokens)`.
    public let preferenceListLength: Int

    /// Token positions, sorted ascending.
    let positions: [UInt64]
    /// Member index of each token's owner.
    let owners: [UInt32]
    /// Preference lists, `preferenceListLength` member indices per token, nearest first.
    let preferences: [UInt32]
    /// `lookupTable[b]` is the first token whose position's top `lookupBits` bits are
    /// at least `b`; it narrows the binary search to a handful of tokens.
    let lookupTable: [UInt32]
    let lookupBits: Int

    /// Builds the ring of `members`. Duplicate ids keep the entry that sorts first by
    /// (zone, capacity), so every peer resolves a duplicate the same way.
    public init(members: some Sequence<RingMember>, configuration: RingConfiguration = RingConfiguration()) {
        let built = RingBuilder(members: members, configuration: configuration)
        self.configuration = configuration
        self.members = built.members
        self.positions = built.positions
        self.owners = built.owners
        self.preferences = built.preferences
        self.preferenceListLength = built.listLength
        self.lookupTable = built.lookupTable
        self.lookupBits = built.lookupBits
    }

    /// The total number of tokens on the ring.
    public var tokenCount: Int { positions.count }

    /// `true` when no member has capacity: every lookup returns an empty list.
    public var isEmpty: Bool { positions.isEmpty }

    /// The ring position of a key: its first 8 bytes read big-endian (missing bytes
    /// count as zero, so a short key never traps).
    public static func position(ofKey key: some Sequence<UInt8>) -> UInt64 {
        var position: UInt64 = 0
        var taken = 0
        for byte in key where taken < 8 {
            position = position << 8 | UInt64(byte)
            taken += 1
        }
        return taken == 8 ? position : position << UInt64(8 * (8 - taken))
    }

    /// The members that should hold `key` (a chunk id), nearest first; the first is the
    /// primary. Empty only for an empty ring.
    public func preferenceList(forKey key: some Sequence<UInt8>) -> [RingMember] {
        preferenceList(forPosition: Self.position(ofKey: key))
    }

    /// The preference list of a ring position.
    public func preferenceList(forPosition position: UInt64) -> [RingMember] {
        guard !positions.isEmpty else { return [] }
        let start = tokenIndex(for: position) * preferenceListLength
        var result = [RingMember]()
        result.reserveCapacity(preferenceListLength)
        for offset in 0..<preferenceListLength {
            result.append(members[Int(preferences[start + offset])])
        }
        return result
    }

    /// The primary (first) member for `key`, or `nil` for an empty ring.
    public func primary(forKey key: some Sequence<UInt8>) -> RingMember? {
        guard !positions.isEmpty else { return nil }
        let token = tokenIndex(for: Self.position(ofKey: key))
        return members[Int(preferences[token * preferenceListLength])]
    }

    /// The preference list followed by further distinct members clockwise (zones
    /// ignored), up to `count` members in all: where to look when replicas are down
    /// (fallback reads) and where to park hinted copies.
    public func successors(forKey key: some Sequence<UInt8>, count: Int) -> [RingMember] {
        guard !positions.isEmpty, count > 0 else { return [] }
        let first = tokenIndex(for: Self.position(ofKey: key))
        var chosen = [UInt32]()
        var seen = Set<UInt32>()
        for offset in 0..<preferenceListLength where chosen.count < count {
            let member = preferences[first * preferenceListLength + offset]
            chosen.append(member)
            seen.insert(member)
        }
        var token = first
        var walked = 0
        while chosen.count < count, walked < positions.count {
            let member = owners[token]
            if seen.insert(member).inserted { chosen.append(member) }
            token = token + 1 == positions.count ? 0 : token + 1
            walked += 1
        }
        return chosen.map { members[Int($0)] }
    }

    /// The number of tokens a member owns (0 when it is not on the ring).
    public func tokenCount(of id: RingNodeID) -> Int {
        guard let index = memberIndex(of: id) else { return 0 }
        return owners.reduce(0) { $0 + ($1 == index ? 1 : 0) }
    }

    /// Index of the first token at or after `position`, wrapping to 0 past the last.
    @inline(__always)
    func tokenIndex(for position: UInt64) -> Int {
        let bucket = Int(truncatingIfNeeded: position >> UInt64(64 - lookupBits))
        var low = Int(lookupTable[bucket])
        var high = Int(lookupTable[bucket + 1])
        while low < high {
            let middle = (low + high) >> 1
            if positions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low == positions.count ? 0 : low
    }

    func memberIndex(of id: RingNodeID) -> UInt32? {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) >> 1
            if members[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < members.count && members[low].id == id ? UInt32(low) : nil
    }
}
