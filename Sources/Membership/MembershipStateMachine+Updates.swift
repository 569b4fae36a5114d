extension MembershipStateMachine {
    mutating func apply(_ update: MemberUpdate, now: Duration) {
        switch update {
        case .alive(let record):
            applyAlive(record, now: now)
        case .suspect(let id, let incarnation, let accuser):
            applySuspect(id, incarnation: incarnation, accuser: accuser, now: now)
        case .dead(let id, let incarnation, let accuser):
            applyDead(id, incarnation: incarnation, accuser: accuser, now: now)
        case .left(let id, let incarnation, let proof):
            applyLeft(id, incarnation: incarnation, proof: proof, now: now)
        }
    }

    /// A record with a higher incarnation wins (new member, recovery, or new metadata),
    /// if its member signed it and the incarnation rose by at most the step bound.
    mutating func applyAlive(_ record: MemberRecord, now: Duration) {
        if record.id == localID {
            // Someone holds a newer version of us than we do (we restarted with a lower
            // incarnation): outbid it, if it really is ours.
            if record.incarnation > localMember.incarnation, !isLeaving,
               isStep(from: localMember.incarnation, to: record.incarnation), check(.alive(record), record.proof) {
                refute(above: record.incarnation)
            }
            return
        }
        guard let row = table.row(of: record.id) else {
            guard admits(.alive(record), proof: record.proof, now: now) else { return }
            let member = Member(record: record, state: .alive, since: now)
            let row = table.append(member)
            activeCount += 1
            addToProbeOrder(row: row)
            broadcasts.enqueue(.alive(record))
            actions.append(.memberChanged(MembershipEvent(member: member, previousState: nil)))
            putOnProbation(record.id)
            return
        }
        let existing = table[row]
        guard record.incarnation > existing.incarnation, isStep(from: existing.incarnation, to: record.incarnation),
              check(.alive(record), record.proof) else { return }
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
                // Back from the dead or departed: ping it if it is still on probation.
                if onProbation.contains(record.id), !pendingConfirmations.contains(record.id) { pendingConfirmations.append(record.id) }
            }
        }
        table[row] = member
        broadcasts.enqueue(.alive(record))
        if existing.state != .alive || !sameContent(existing.record, record) {
            actions.append(.memberChanged(MembershipEvent(member: member, previousState: existing.state)))
        }
    }

    /// Suspects an alive member, or counts another accuser of a suspect one. Only the
    /// incarnation known here counts: an observer can only have seen what the member
    /// signed, and a signed newer record reaches us as `alive`.
    mutating func applySuspect(_ id: MemberID, incarnation: UInt64, accuser: MemberID, now: Duration) {
        guard let row = table.row(of: id) else { return }
        var member = table[row]
        guard incarnation == member.incarnation else { return }
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

    /// Declares a member dead at the incarnation known here (see `applySuspect`).
    mutating func applyDead(_ id: MemberID, incarnation: UInt64, accuser: MemberID, now: Duration) {
        guard let row = table.row(of: id) else { return }
        var member = table[row]
        guard incarnation == member.incarnation else { return }
        if id == localID {
            if !isLeaving { refute(above: incarnation) }
            return
        }
        // Nothing overrides a member already gone.
        if member.state == .left || member.state == .dead { return }
        markGone(&member, row: row, as: .dead, now: now)
        broadcasts.enqueue(.dead(id, incarnation: incarnation, accuser: accuser))
    }

    /// Records that a member left, on its own signed word. `left` is better news than
    /// `dead` at the same incarnation. The row keeps the last record's fields and takes
    /// the departure's incarnation and proof, so push-pull can pass the proof on.
    mutating func applyLeft(_ id: MemberID, incarnation: UInt64, proof: MemberProof, now: Duration) {
        guard let row = table.row(of: id) else { return }
        var member = table[row]
        guard incarnation >= member.incarnation, isStep(from: member.incarnation, to: incarnation) else { return }
        if id == localID {
            // Our own departure from an earlier life, replayed: we are back.
            if !isLeaving, check(.left(id, incarnation: incarnation), proof) { refute(above: incarnation) }
            return
        }
        if member.state == .left { return }
        guard check(.left(id, incarnation: incarnation), proof) else { return }
        member.record.incarnation = incarnation
        member.record.proof = proof
        markGone(&member, row: row, as: .left, now: now)
        broadcasts.enqueue(.left(id, incarnation: incarnation, proof: proof))
    }

    /// Moves the member at `row` to `dead` or `left` and reports it.
    private mutating func markGone(_ member: inout Member, row: Int, as state: MemberState, now: Duration) {
        suspicions[member.id] = nil
        let previous = member.state
        member.state = state
        member.since = now
        table[row] = member
        if state == .dead { deadIDs.insert(member.id) } else { deadIDs.remove(member.id) }
        if previous == .alive || previous == .suspect { activeCount -= 1 }
        actions.append(.memberChanged(MembershipEvent(member: member, previousState: previous)))
    }

    /// Claims a higher incarnation than anyone attributed to us, signs it, and says so
    /// widely.
    mutating func refute(above incarnation: UInt64) {
        raiseIncarnation(above: incarnation)
        broadcasts.enqueue(.alive(localMember.record))
        // Lifeguard: being suspected hints that our own links are slow.
        adjustHealth(by: 1)
    }

    /// Sets the local incarnation above `incarnation` and the current one (saturating:
    /// the step bound keeps the top out of reach, and arithmetic must never trap on
    /// what a peer sent) and signs the new record: once per incarnation.
    mutating func raiseIncarnation(above incarnation: UInt64) {
        let base = max(localMember.incarnation, incarnation)
        localMember.record.incarnation = base == .max ? .max : base + 1
        localMember.record.proof = authenticator.prove(.alive(localMember.record))
    }

    /// Merges a remote table. As in memberlist, a remote `dead` or `suspect` only
    /// makes us suspect (with the sender as accuser), so one peer's stale view cannot
    /// kill live members; members never seen before are recorded as reported, if their
    /// proofs check and the table has room.
    mutating func merge(_ snapshots: [MemberSnapshot], from sender: MemberID, now: Duration) {
        for snapshot in snapshots {
            let record = snapshot.record
            let row = table.row(of: record.id)
            // The common case in a settled network: the same record, alive on both sides.
            if let row, snapshot.state == .alive, table.states[row] == .alive,
               table.records[row].incarnation >= record.incarnation {
                continue
            }
            if record.id == localID {
                mergeSelf(snapshot, now: now)
            } else if row == nil {
                insertReported(snapshot, from: sender, now: now)
            } else {
                switch snapshot.state {
                case .alive:
                    applyAlive(record, now: now)
                case .suspect, .dead:
                    // A newer signed record first, then the observation at it.
                    applyAlive(record, now: now)
                    applySuspect(record.id, incarnation: record.incarnation, accuser: sender, now: now)
                case .left:
                    applyLeft(record.id, incarnation: record.incarnation, proof: record.proof, now: now)
                }
            }
            if isRejectingPacket { return }
        }
    }

    /// What a remote table says about us: an old signed record of ours to outbid, an
    /// old departure of ours, or an observation at our incarnation to refute.
    private mutating func mergeSelf(_ snapshot: MemberSnapshot, now: Duration) {
        guard !isLeaving else { return }
        let record = snapshot.record
        switch snapshot.state {
        case .left:
            applyLeft(localID, incarnation: record.incarnation, proof: record.proof, now: now)
        case .alive:
            applyAlive(record, now: now)
        case .suspect, .dead:
            if record.incarnation == localMember.incarnation { refute(above: record.incarnation) } else { applyAlive(record, now: now) }
        }
    }

    /// Adds a member first heard of in a push-pull, in the state reported (a suspect
    /// as suspected by the sender); the dead and left are recorded without gossip.
    private mutating func insertReported(_ snapshot: MemberSnapshot, from sender: MemberID, now: Duration) {
        let record = snapshot.record
        switch snapshot.state {
        case .alive:
            applyAlive(record, now: now)
        case .suspect:
            applyAlive(record, now: now)
            applySuspect(record.id, incarnation: record.incarnation, accuser: sender, now: now)
        case .dead, .left:
            guard admits(snapshot.claim, proof: record.proof, now: now) else { return }
            let member = Member(record: record, state: snapshot.state, since: now)
            table.append(member)
            if snapshot.state == .dead { deadIDs.insert(record.id) }
            actions.append(.memberChanged(MembershipEvent(member: member, previousState: nil)))
            putOnProbation(record.id)
        }
    }

    /// Whether a member first heard of may be added: room in the table, admission
    /// budget left, a plausible incarnation, and its own proof. Cheap checks first, so a
    /// flood costs no signature checks once the budget is spent.
    private mutating func admits(_ claim: MemberClaim, proof: MemberProof, now: Duration) -> Bool {
        guard table.count < configuration.maxMembers, claim.incarnation <= configuration.maxFirstIncarnation,
              admissions.hasRoom(now: now), check(claim, proof) else { return false }
        admissions.spend()
        return true
    }

    /// Whether `to` is a rise of at most the step bound from `from`.
    private func isStep(from: UInt64, to: UInt64) -> Bool {
        to <= from || to - from <= configuration.maxIncarnationStep
    }

    /// Checks a member's claim; a failure marks the packet as a liar's.
    private mutating func check(_ claim: MemberClaim, _ proof: MemberProof) -> Bool {
        if authenticator.isAuthentic(claim, proof: proof) { return true }
        isRejectingPacket = true
        return false
    }

    /// The whole table for a push-pull, sorted so equal tables encode equally.
    func snapshot() -> [MemberSnapshot] {
        table.idOrder.map { MemberSnapshot(record: table.records[Int($0)], state: table.states[Int($0)]) }
    }

    private func sameContent(_ a: MemberRecord, _ b: MemberRecord) -> Bool {
        a.address == b.address && a.zone == b.zone && a.capacity == b.capacity && a.meta == b.meta
    }
}
