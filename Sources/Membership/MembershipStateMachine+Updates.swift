extension MembershipStateMachine {
    mutating func apply(_ update: MemberUpdate, now: Duration) {
        switch update {
        case .alive(let record):
            applyAlive(record, now: now)
        case .suspect(let id, let incarnation, let accuser):
            applySuspect(id, incarnation: incarnation, accuser: accuser, now: now)
        case .dead(let id, let incarnation, let accuser):
            applyDead(id, incarnation: incarnation, accuser: accuser, isLeft: false, now: now)
        case .left(let id, let incarnation):
            applyDead(id, incarnation: incarnation, accuser: id, isLeft: true, now: now)
        }
    }

    /// A record with a higher incarnation wins: new member, recovery, or new metadata.
    mutating func applyAlive(_ record: MemberRecord, now: Duration) {
        if record.id == localID {
            // Someone holds a newer version of us than we do (we restarted with a lower
            // incarnation): outbid it.
            if record.incarnation > localMember.incarnation, !isLeaving { refute(above: record.incarnation) }
            return
        }
        guard let row = table.row(of: record.id) else {
            let member = Member(record: record, state: .alive, since: now)
            let row = table.append(member)
            activeCount += 1
            addToProbeOrder(row: row)
            broadcasts.enqueue(.alive(record))
            actions.append(.memberChanged(MembershipEvent(member: member, previousState: nil)))
            return
        }
        let existing = table[row]
        guard record.incarnation > existing.incarnation else { return }
        suspicions[record.id] = nil
        var member = existing
        member.record = record
        if existing.state != .alive {
            if existing.state == .dead { deadIDs.remove(record.id) }
            member.state = .alive
            member.since = now
            if !existing.isActive {
                activeCount += 1
                addToProbeOrder(row: row)
            }
        }
        table[row] = member
        broadcasts.enqueue(.alive(record))
        if existing.state != .alive || !sameContent(existing.record, record) {
            actions.append(.memberChanged(MembershipEvent(member: member, previousState: existing.state)))
        }
    }

    /// Suspects an alive member, or counts another accuser of a suspect one.
    mutating func applySuspect(_ id: MemberID, incarnation: UInt64, accuser: MemberID, now: Duration) {
        guard let row = table.row(of: id) else { return }
        var member = table[row]
        guard incarnation >= member.incarnation else { return }
        if id == localID {
            if !isLeaving { refute(above: incarnation) }
            return
        }
        if var suspicion = suspicions[id] {
            if suspicion.confirm(accuser) {
                suspicions[id] = suspicion
                // Spread the confirmation so others' timers shrink too.
                broadcasts.enqueue(.suspect(id, incarnation: incarnation, accuser: accuser))
            }
            return
        }
        guard member.state == .alive else { return }
        let previous = member.state
        member.record.incarnation = incarnation
        member.state = .suspect
        member.since = now
        table[row] = member
        broadcasts.enqueue(.suspect(id, incarnation: incarnation, accuser: accuser))
        let n = activeCount
        let wanted = n - 2 < configuration.suspicionMult - 2 ? 0 : configuration.suspicionMult - 2
        suspicions[id] = Suspicion(
            accuser: accuser, incarnation: incarnation, start: now, wanted: wanted,
            minimum: configuration.suspicionMinimum(members: n), maximum: configuration.suspicionMaximum(members: n)
        )
        actions.append(.memberChanged(MembershipEvent(member: member, previousState: previous)))
    }

    /// Declares a member dead, or records that it left.
    mutating func applyDead(_ id: MemberID, incarnation: UInt64, accuser: MemberID, isLeft: Bool, now: Duration) {
        guard let row = table.row(of: id) else { return }
        var member = table[row]
        guard incarnation >= member.incarnation else { return }
        if id == localID {
            if !isLeaving { refute(above: incarnation) }
            return
        }
        // `left` is better news than `dead` at the same incarnation; nothing else
        // overrides a member already gone.
        if member.state == .left || (member.state == .dead && !isLeft) { return }
        suspicions[id] = nil
        let previous = member.state
        member.record.incarnation = incarnation
        member.state = isLeft ? .left : .dead
        member.since = now
        table[row] = member
        if isLeft { deadIDs.remove(id) } else { deadIDs.insert(id) }
        if previous == .alive || previous == .suspect { activeCount -= 1 }
        broadcasts.enqueue(isLeft ? .left(id, incarnation: incarnation) : .dead(id, incarnation: incarnation, accuser: accuser))
        actions.append(.memberChanged(MembershipEvent(member: member, previousState: previous)))
    }

    /// Claims a higher incarnation than anyone attributed to us, and says so widely.
    mutating func refute(above incarnation: UInt64) {
        localMember.record.incarnation = max(localMember.incarnation, incarnation) + 1
        broadcasts.enqueue(.alive(localMember.record))
        // Lifeguard: being suspected hints that our own links are slow.
        adjustHealth(by: 1)
    }

    /// Merges a remote table. As in memberlist, a remote `dead` or `suspect` only
    /// makes us suspect (with the sender as accuser), so one peer's stale view cannot
    /// kill live members; members never seen before are recorded as reported.
    mutating func merge(_ snapshots: [MemberSnapshot], from sender: MemberID, now: Duration) {
        for snapshot in snapshots {
            let record = snapshot.record
            let row = table.row(of: record.id)
            // The common case in a settled network: the same record, alive on both sides.
            if let row, snapshot.state == .alive, table.states[row] == .alive,
               table.records[row].incarnation >= record.incarnation {
                continue
            }
            let known = row != nil
            switch snapshot.state {
            case .alive:
                applyAlive(record, now: now)
            case .suspect:
                if !known { applyAlive(record, now: now) }
                applySuspect(record.id, incarnation: record.incarnation, accuser: sender, now: now)
            case .dead:
                if known {
                    applySuspect(record.id, incarnation: record.incarnation, accuser: sender, now: now)
                } else {
                    insertGone(record, state: .dead, now: now)
                }
            case .left:
                if known {
                    applyDead(record.id, incarnation: record.incarnation, accuser: record.id, isLeft: true, now: now)
                } else {
                    insertGone(record, state: .left, now: now)
                }
            }
        }
    }

    /// Records a dead or left member first heard of in a push-pull, without gossip.
    private mutating func insertGone(_ record: MemberRecord, state: MemberState, now: Duration) {
        let member = Member(record: record, state: state, since: now)
        table.append(member)
        if state == .dead { deadIDs.insert(record.id) }
        actions.append(.memberChanged(MembershipEvent(member: member, previousState: nil)))
    }

    /// The whole table for a push-pull, sorted so equal tables encode equally.
    func snapshot() -> [MemberSnapshot] {
        table.idOrder.map { MemberSnapshot(record: table.records[Int($0)], state: table.states[Int($0)]) }
    }

    private func sameContent(_ a: MemberRecord, _ b: MemberRecord) -> Bool {
        a.address == b.address && a.zone == b.zone && a.capacity == b.capacity && a.meta == b.meta
    }
}
