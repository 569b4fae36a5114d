extension MembershipStateMachine {
    /// `duration` stretched by Lifeguard's local health.
    func scaled(_ duration: Duration) -> Duration {
        duration * (health + 1)
    }

    mutating func adjustHealth(by delta: Int) {
        health = min(max(0, health + delta), configuration.awarenessMaxMultiplier - 1)
    }

    mutating func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    /// Starts the probe of the next member in the shuffled round-robin order.
    mutating func startProbe(now: Duration) {
        let period = scaled(configuration.probeInterval)
        nextProbeAt = now + period
        guard let row = nextProbeTarget(now: now) else { return }
        let member = table[row]
        let target = member.id
        let seq = nextSequence()
        // A far member gets longer: its probe ends, and the next starts, when it is done.
        let timeout = scaled(probeTimeout(for: target))
        let deadline = now + max(period, timeout + scaled(indirectRoundTrip(to: target, via: [])))
        probe = Probe(
            target: target, incarnation: member.incarnation, seq: seq, sentAt: now, indirectAt: now + timeout, deadline: deadline)
        nextProbeAt = deadline
        // Lifeguard's buddy system: a suspect hears of its suspicion from every prober,
        // not only if the gossip happens to reach it before its retransmissions end.
        let buddy: [MemberUpdate] = member.state == .suspect
            ? [.suspect(target, incarnation: member.incarnation, accuser: localID)] : []
        send(.ping(seq: seq, target: target), to: endpoint(of: member), first: buddy)
    }

    /// Moves a probe in flight on: indirect probes after the probe timeout, suspicion
    /// at the end of the period.
    mutating func advanceProbe(now: Duration) {
        guard var current = probe else { return }
        if !current.indirectSent, now >= current.indirectAt {
            current.indirectSent = true
            if let target = table[id: current.target] {
                let helpers = randomMembers(
                    configuration.indirectChecks, excluding: current.target, where: { $0.state == .alive }
                )
                for helper in helpers {
                    send(
                        .pingRequest(seq: current.seq, target: target.id, targetAddress: target.address),
                        to: endpoint(of: helper)
                    )
                }
                current.expectedNacks = helpers.count
                // The indirect answers travel two legs: wait for the farthest helper's.
                current.deadline = max(current.deadline, now + scaled(indirectRoundTrip(to: target.id, via: helpers.map(\.id))))
                nextProbeAt = max(nextProbeAt, current.deadline)
            }
            probe = current
        }
        guard now >= current.deadline else { return }
        probe = nil
        // Lifeguard: missing nacks mean our own messages are not getting through, so
        // slow down rather than blame the target alone.
        adjustHealth(by: current.expectedNacks > 0 ? current.expectedNacks - current.nacks : 1)
        applySuspect(current.target, incarnation: current.incarnation, accuser: localID, now: now)
    }

    mutating func handleAck(seq: UInt32, now: Duration) {
        if let current = probe, current.seq == seq {
            probe = nil
            adjustHealth(by: -1)
            // After the indirect pings went out, the ack may be relayed: no round trip of ours.
            if !current.indirectSent { noteRoundTrip(now - current.sentAt, to: current.target) }
        } else if let relay = relays.removeValue(forKey: seq) {
            if let target = relay.target { noteRoundTrip(now - relay.sentAt, to: target) }
            send(.ack(seq: relay.originSeq), to: relay.origin)
        }
    }

    /// Folds one measured round trip into `member`'s smoothed figure (7/8 old, 1/8 new).
    mutating func noteRoundTrip(_ sample: Duration, to member: MemberID) {
        guard table[id: member] != nil else { return }
        roundTrips[member] = roundTrips[member].map { $0 * 7 / 8 + sample / 8 } ?? sample
    }

    /// How long a direct ping to `member` may take: the configured timeout, or three of its
    /// round trips when that is longer (one lost segment and TCP's retransmission).
    func probeTimeout(for member: MemberID) -> Duration {
        max(configuration.probeTimeout, (roundTrips[member] ?? .zero) * 3)
    }

    /// How long indirect pings to `target` through `helpers` may take: one and a half
    /// times their two legs (to the farthest helper, and its ping of the target, which is
    /// at most as far as ours and theirs together).
    func indirectRoundTrip(to target: MemberID, via helpers: [MemberID]) -> Duration {
        let farthest = helpers.map { roundTrips[$0] ?? .zero }.max() ?? .zero
        return (farthest * 2 + (roundTrips[target] ?? .zero)) * 3 / 2
    }

    /// Pings `target` on behalf of `origin` (SWIM indirect probe).
    mutating func startRelay(originSeq: UInt32, origin: MembershipEndpoint, target: MembershipEndpoint, now: Duration) {
        guard target.id != localID else {
            send(.ack(seq: originSeq), to: origin)
            return
        }
        let seq = nextSequence()
        let timeout = target.id.map { probeTimeout(for: $0) } ?? configuration.probeTimeout
        relays[seq] = Relay(
            origin: origin, originSeq: originSeq, target: target.id, sentAt: now,
            nackAt: now + timeout, expiresAt: now + scaled(max(configuration.probeInterval, timeout * 2))
        )
        send(.ping(seq: seq, target: target.id ?? localID), to: target)
    }

    mutating func expireRelays(now: Duration) {
        guard !relays.isEmpty else { return }
        for seq in relays.keys.sorted() {
            guard var relay = relays[seq] else { continue }
            if now >= relay.expiresAt {
                relays[seq] = nil
            } else if !relay.nackSent, now >= relay.nackAt {
                relay.nackSent = true
                relays[seq] = relay
                send(.nack(seq: relay.originSeq), to: relay.origin)
            }
        }
    }

    /// The row of the next alive or suspect member in round-robin order, reshuffling
    /// (and dropping stale entries) once per round.
    mutating func nextProbeTarget(now: Duration) -> Int? {
        var rebuilt = false
        while true {
            while probeIndex < probeOrder.count {
                let row = Int(probeOrder[probeIndex])
                probeIndex += 1
                if row != 0, table.states[row] == .alive || table.states[row] == .suspect { return row }
            }
            guard !rebuilt else { return nil }
            rebuildProbeOrder(now: now)
            rebuilt = true
        }
    }

    /// Starts a new round: active members plus the recently dead (who still get gossip),
    /// shuffled. First forgets members dead or left for longer than the retention.
    mutating func rebuildProbeOrder(now: Duration) {
        var forgotten = Set<Int>()
        for row in 1..<table.count {
            let member = table[row]
            if !member.isActive, member.state != .dead || now - member.since >= configuration.gossipToTheDeadTime,
               now - member.since >= configuration.deadRetention {
                forgotten.insert(row)
            }
        }
        if !forgotten.isEmpty {
            let ids = forgotten.map { table.records[$0].id }.sorted()
            table.removeAll(rows: forgotten)
            for id in ids {
                deadIDs.remove(id)
                onProbation.remove(id)
                roundTrips[id] = nil
                actions.append(.memberForgotten(id))
            }
        }
        var order = [Int32]()
        order.reserveCapacity(table.count)
        // Id order, not row order, before the shuffle: rows depend on arrival order.
        for row in table.idOrder where row != 0 {
            let member = table[Int(row)]
            if member.isActive || (member.state == .dead && now - member.since < configuration.gossipToTheDeadTime) {
                order.append(row)
            }
        }
        order.shuffle(using: &random)
        probeOrder = order
        probeIndex = 0
    }

    /// Adds the member at `row` to the current round at a random place not yet passed.
    mutating func addToProbeOrder(row: Int) {
        probeOrder.append(Int32(row))
        let slot = Int.random(in: probeIndex...(probeOrder.count - 1), using: &random)
        probeOrder.swapAt(slot, probeOrder.count - 1)
    }

    /// Up to `count` distinct random members other than this peer and `excluded`, not on
    /// probation, that satisfy `filter`. Samples the probe order, so it costs O(count) for
    /// large tables.
    mutating func randomMembers(_ count: Int, excluding excluded: MemberID? = nil, where filter: (Member) -> Bool) -> [Member] {
        guard count > 0 else { return [] }
        var chosen = [Member]()
        var seen: [Int32] = [0]
        if let excluded, let row = table.row(of: excluded) { seen.append(Int32(row)) }
        if probeOrder.count <= 4 * count {
            var candidates = probeOrder.filter { !seen.contains($0) }
            candidates.sort { table.records[Int($0)].id < table.records[Int($1)].id }
            candidates.shuffle(using: &random)
            for row in candidates where chosen.count < count && !seen.contains(row) {
                let member = table[Int(row)]
                if !onProbation.contains(member.id), filter(member) {
                    seen.append(row)
                    chosen.append(member)
                }
            }
            return chosen
        }
        var attempts = 0
        while chosen.count < count, attempts < 8 * count {
            attempts += 1
            let row = probeOrder[Int.random(in: 0..<probeOrder.count, using: &random)]
            guard !seen.contains(row) else { continue }
            let member = table[Int(row)]
            if !onProbation.contains(member.id), filter(member) {
                seen.append(row)
                chosen.append(member)
            }
        }
        return chosen
    }

    func endpoint(of member: Member) -> MembershipEndpoint {
        MembershipEndpoint(id: member.id, address: member.address)
    }
}
