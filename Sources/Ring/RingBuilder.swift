/// Builds the arrays behind a `Ring`: tokens, their owners, the lookup table, and the
/// preference list of every token.
struct RingBuilder {
    var members: [RingMember] = []
    var positions: [UInt64] = []
    var owners: [UInt32] = []
    var preferences: [UInt32] = []
    var listLength = 0
    var lookupTable: [UInt32] = [0, 0]
    var lookupBits = 1

    init(members input: some Sequence<RingMember>, configuration: RingConfiguration) {
        members = Self.canonicalMembers(input)
        buildTokens(configuration: configuration)
        buildLookupTable()
        buildPreferences(replicas: configuration.replicas)
    }

    /// Sorts by id and drops duplicate ids, so input order never matters.
    static func canonicalMembers(_ input: some Sequence<RingMember>) -> [RingMember] {
        let sorted = input.sorted { lhs, rhs in
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            if lhs.zone != rhs.zone { return lhs.zone < rhs.zone }
            return lhs.capacity < rhs.capacity
        }
        var result = [RingMember]()
        result.reserveCapacity(sorted.count)
        for member in sorted where result.last?.id != member.id {
            result.append(member)
        }
        return result
    }

    private struct Token {
        var position: UInt64
        var owner: UInt32
        var index: UInt32
    }

    /// Token `t` of member `m` sits at SipHash-2-4(id || t as 4 little-endian bytes).
    /// Token indices are stable, so a member whose token count grows keeps its old
    /// tokens and only adds new ones.
    private mutating func buildTokens(configuration: RingConfiguration) {
        precondition(members.count < Int(UInt32.max), "too many ring members")
        let placed = members.filter { $0.capacity > 0 }
        guard !placed.isEmpty else { return }
        let reference: Double
        if let fixed = configuration.referenceCapacity, fixed > 0 {
            reference = Double(fixed)
        } else {
            reference = placed.reduce(0.0) { $0 + Double($1.capacity) } / Double(placed.count)
        }
        var tokens = [Token]()
        var buffer = [UInt8](repeating: 0, count: RingNodeID.byteCount + 4)
        for (memberIndex, member) in members.enumerated() {
            let count = configuration.tokenCount(capacity: member.capacity, reference: reference)
            guard count > 0 else { continue }
            buffer.replaceSubrange(0..<RingNodeID.byteCount, with: member.id.bytes)
            for token in 0..<UInt32(count) {
                for byte in 0..<4 {
                    buffer[RingNodeID.byteCount + byte] = UInt8(truncatingIfNeeded: token >> UInt32(8 * byte))
                }
                let position = SipHash24.ringTokens.hash(buffer)
                tokens.append(Token(position: position, owner: UInt32(memberIndex), index: token))
            }
        }
        tokens.sort { lhs, rhs in
            if lhs.position != rhs.position { return lhs.position < rhs.position }
            if lhs.owner != rhs.owner { return lhs.owner < rhs.owner }
            return lhs.index < rhs.index
        }
        positions = tokens.map(\.position)
        owners = tokens.map(\.owner)
    }

    private mutating func buildLookupTable() {
        var bits = 1
        while bits < 20, (1 << (bits + 1)) <= positions.count { bits += 1 }
        lookupBits = bits
        let buckets = 1 << bits
        var table = [UInt32](repeating: UInt32(positions.count), count: buckets + 1)
        var token = 0
        for bucket in 0..<buckets {
            while token < positions.count, Int(truncatingIfNeeded: positions[token] >> UInt64(64 - bits)) < bucket {
                token += 1
            }
            table[bucket] = UInt32(token)
        }
        lookupTable = table
    }

    /// Computes every token's preference list in O(tokens × replicas).
    ///
    /// Sweeping the ring backwards while moving each token's zone and member to the
    /// front of two move-to-front lists keeps both lists ordered by "nearest occurrence
    /// clockwise". The preference list is then: the nearest member of each of the first
    /// min(N, zones) zones, filled up with the nearest other members, in ring order.
    /// A first sweep primes the lists so the wrap-around past the last token is seen.
    private mutating func buildPreferences(replicas: Int) {
        let tokenCount = positions.count
        guard tokenCount > 0 else { return }
        var zoneOfMember = [Int](repeating: 0, count: members.count)
        var zoneIndex = [String: Int]()
        for (index, member) in members.enumerated() {
            if let zone = zoneIndex[member.zone] {
                zoneOfMember[index] = zone
            } else {
                zoneOfMember[index] = zoneIndex.count
                zoneIndex[member.zone] = zoneIndex.count
            }
        }
        let placedCount = Set(owners).count
        listLength = min(replicas, placedCount)

        var zones = MoveToFrontList(count: zoneIndex.count)
        var zoneNearestMember = [UInt32](repeating: 0, count: zoneIndex.count)
        var peers = MoveToFrontList(count: members.count)
        var result = [UInt32](repeating: 0, count: tokenCount * listLength)
        var chosen = [(stamp: Int, member: UInt32)]()
        chosen.reserveCapacity(listLength)
        var stamp = 0

        for pass in 0..<2 {
            for token in stride(from: tokenCount - 1, through: 0, by: -1) {
                stamp += 1
                let owner = owners[token]
                let zone = zoneOfMember[Int(owner)]
                zones.moveToFront(zone, stamp: stamp)
                zoneNearestMember[zone] = owner
                peers.moveToFront(Int(owner), stamp: stamp)
                guard pass == 1 else { continue }

                chosen.removeAll(keepingCapacity: true)
                var node = zones.head
                while node >= 0, chosen.count < listLength {
                    chosen.append((zones.stamps[node], zoneNearestMember[node]))
                    node = zones.next[node]
                }
                node = peers.head
                while node >= 0, chosen.count < listLength {
                    if !chosen.contains(where: { $0.member == UInt32(node) }) {
                        chosen.append((peers.stamps[node], UInt32(node)))
                    }
                    node = peers.next[node]
                }
                // A larger stamp was seen later in the backward sweep: nearer clockwise.
                chosen.sort { $0.stamp > $1.stamp }
                for (offset, entry) in chosen.enumerated() {
                    result[token * listLength + offset] = entry.member
                }
            }
        }
        preferences = result
    }
}

/// A doubly linked move-to-front list over the integers `0..<count`.
private struct MoveToFrontList {
    var next: [Int]
    var previous: [Int]
    var stamps: [Int]
    var head = -1
    private var linked: [Bool]

    init(count: Int) {
        next = [Int](repeating: -1, count: count)
        previous = [Int](repeating: -1, count: count)
        stamps = [Int](repeating: 0, count: count)
        linked = [Bool](repeating: false, count: count)
    }

    mutating func moveToFront(_ node: Int, stamp: Int) {
        stamps[node] = stamp
        guard head != node else { return }
        if linked[node] {
            let before = previous[node]
            let after = next[node]
            if before >= 0 { next[before] = after }
            if after >= 0 { previous[after] = before }
        }
        linked[node] = true
        previous[node] = -1
        next[node] = head
        if head >= 0 { previous[head] = node }
        head = node
    }
}
