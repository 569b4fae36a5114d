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
        probe = Probe(
            target: target, incarnation: member.incarnation, seq: seq,
            indirectAt: now + scaled(configuration.probeTimeout), deadline: now + period
        )
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

    mutating func handleAck(seq: UInt32) {
        if let current = probe, current.seq == seq {
            probe = nil
            adjustHealth(by: -1)
        } else if let relay = relays.removeValue(forKey: seq) {
            send(.ack(seq: relay.originSeq), to: relay.origin)
        }
    }

    /// Pings `target` on behalf of `origin` (SWIM indirect probe).
    mutating func startRelay(originSeq: UInt32, origin: MembershipEndpoint, target: MembershipEndpoint, now: Duration) {
        guard target.id != localID else {
            send(.ack(seq: originSeq), to: origin)
            return
        }
        let seq = nextSequence()
        relays[seq] = Relay(
            origin: origin, originSeq: originSeq,
            nackAt: now + configuration.probeTimeout, expiresAt: now + scaled(configuration.probeInterval)
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

    /// Up to `count` distinct random members other than this peer and `excluded` that
    /// satisfy `filter`. Samples the probe order, so it costs O(count) for large tables.
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
                if filter(member) {
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
            if filter(member) {
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
