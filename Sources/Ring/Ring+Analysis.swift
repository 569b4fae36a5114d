extension Ring {
    /// The exact fraction of the key space each member holds a replica of (computed
    /// from token arcs, not sampled). Values sum to `preferenceListLength`. Members
    /// without tokens are absent. For the dashboard, balance checks and the simulator.
    public func replicaShares() -> [RingNodeID: Double] {
        var shares = [Double](repeating: 0, count: members.count)
        for token in positions.indices {
            let arc = arcLength(endingAt: token)
            for offset in 0..<preferenceListLength {
                shares[Int(preferences[token * preferenceListLength + offset])] += arc
            }
        }
        var result = [RingNodeID: Double]()
        for (index, share) in shares.enumerated() where share > 0 {
            result[members[index].id] = share / Self.keySpace
        }
        return result
    }

    /// The exact fraction of the key space each member is primary for.
    public func primaryShares() -> [RingNodeID: Double] {
        var shares = [Double](repeating: 0, count: members.count)
        for token in positions.indices {
            shares[Int(preferences[token * preferenceListLength])] += arcLength(endingAt: token)
        }
        var result = [RingNodeID: Double]()
        for (index, share) in shares.enumerated() where share > 0 {
            result[members[index].id] = share / Self.keySpace
        }
        return result
    }

    /// The exact fraction of replica slots of `new` that `old` did not already hold:
    /// the share of stored copies that must move when the ring changes from `old` to
    /// `new`. Adding one equal peer to n peers ideally moves 1/(n+1).
    public static func movedFraction(from old: Ring, to new: Ring) -> Double {
        guard !new.isEmpty else { return 0 }
        guard !old.isEmpty else { return 1 }
        var boundaries = old.positions + new.positions
        boundaries.sort()
        var moved = 0.0
        var previous = boundaries[boundaries.count - 1]
        for boundary in boundaries where boundary != previous {
            // Every key in (previous, boundary] maps to the same token in both rings.
            let arc = Double(boundary &- previous)
            let before = Set(old.preferenceList(forPosition: boundary).map(\.id))
            for member in new.preferenceList(forPosition: boundary) where !before.contains(member.id) {
                moved += arc
            }
            previous = boundary
        }
        if Set(boundaries).count == 1 {
            // A single boundary: the whole ring is one arc.
            let before = Set(old.preferenceList(forPosition: previous).map(\.id))
            moved = Double(new.preferenceList(forPosition: previous).filter { !before.contains($0.id) }.count) * keySpace
        }
        return moved / (keySpace * Double(new.preferenceListLength))
    }

    static let keySpace = 18_446_744_073_709_551_616.0

    /// The length of the arc (previous token, token], the whole ring for a lone token.
    func arcLength(endingAt token: Int) -> Double {
        guard positions.count > 1 else { return Self.keySpace }
        let previous = token == 0 ? positions[positions.count - 1] : positions[token - 1]
        let length = positions[token] &- previous
        return length == 0 && token == 0 ? Self.keySpace : Double(length)
    }
}
