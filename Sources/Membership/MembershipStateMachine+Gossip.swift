extension MembershipStateMachine {
    /// Queues `message` to `destination` with `first` and as many waiting updates as fit;
    /// a member on probation gets `first` only (it would spend the updates' transmissions).
    mutating func send(_ message: MembershipMessage, to destination: MembershipEndpoint, first: [MemberUpdate] = []) {
        let toProbation = destination.id.map { onProbation.contains($0) } ?? false
        let gossip = toProbation ? first : first + broadcasts.take(
            maximum: configuration.maxPiggybackUpdates - first.count,
            transmitLimit: configuration.retransmitLimit(members: activeCount)
        )
        let packet = MembershipPacket(sender: localID, senderAddress: localMember.address, message: message, gossip: gossip)
        actions.append(.send(packet, to: destination))
    }

    /// Sends waiting updates to a few random members, the recently dead included.
    mutating func gossipRound(now: Duration) {
        guard !broadcasts.isEmpty else { return }
        let window = configuration.gossipToTheDeadTime
        let targets = randomMembers(configuration.gossipNodes) { member in
            member.isActive || (member.state == .dead && now - member.since < window)
        }
        for target in targets {
            guard !broadcasts.isEmpty else { return }
            send(.gossip, to: endpoint(of: target))
        }
    }

    /// Anti-entropy: full state with one random live member.
    mutating func pushPullRound() {
        guard let target = randomMembers(1, where: { $0.state == .alive }).first else { return }
        send(.pushPull(PushPullState(isResponse: false, isJoin: false, members: snapshot())), to: endpoint(of: target))
    }

    /// Tries one random dead member: if it is reachable again (a partition healed, or
    /// it restarted without seeds), the exchange makes both sides refute and recover.
    ///
    ///
    /// A peer tries with probability `min(1, 4 × dead / alive)`, so the network as a
    /// whole tries each dead member about four times per interval (Serf: once), and a
    /// small network, or a half of a split one, still tries from every peer. Without
    /// it every peer sends its full table to a dead member every interval: O(n) bytes
    /// per peer per interval for as long as anyone is listed dead.
    mutating func reconnectRound() {
        guard !deadIDs.isEmpty else { return }
        let probability = 4 * Double(deadIDs.count) / Double(max(1, activeCount))
        guard probability >= 1 || Double(random.next() >> 11) * 0x1p-53 < probability else { return }
        let dead = deadIDs.filter { !onProbation.contains($0) }.sorted()
        guard let id = dead.randomElement(using: &random), let member = table[id: id] else { return }
        send(.pushPull(PushPullState(isResponse: false, isJoin: false, members: snapshot())), to: endpoint(of: member))
    }

    mutating func sendJoin(now: Duration) {
        guard !seeds.isEmpty else {
            nextJoinAt = nil
            return
        }
        for seed in seeds {
            send(.pushPull(PushPullState(isResponse: false, isJoin: true, members: snapshot())), to: MembershipEndpoint(id: nil, address: seed))
        }
        nextJoinAt = now + configuration.joinRetryInterval
    }

    /// Puts a member heard of from a third party on probation and pings it.
    mutating func putOnProbation(_ id: MemberID) {
        guard id != currentSender, onProbation.insert(id).inserted else { return }
        pendingConfirmations.append(id)
        sendConfirmationPings()
    }

    /// Ends the probation of `id`, which sent a packet of its own.
    mutating func confirm(_ id: MemberID) {
        guard onProbation.remove(id) != nil else { return }
        actions.append(.memberConfirmed(id))
    }

    /// Pings waiting members on probation while this round's budget lasts, one per address
    /// and round (members made up at someone else's address must not turn the network
    /// into a flood of connections to it); an answer is a packet of their own, which
    /// confirms them. Members no longer active wait for a signed `alive` (which queues
    /// them again).
    mutating func sendConfirmationPings() {
        var index = 0, waiting: [MemberID] = []
        while index < pendingConfirmations.count, confirmationAddresses.count < configuration.confirmationPingsPerRound {
            let id = pendingConfirmations[index]
            index += 1
            guard onProbation.contains(id), let member = table[id: id], member.isActive else { continue }
            guard confirmationAddresses.insert(member.address).inserted else {
                waiting.append(id)
                continue
            }
            send(.ping(seq: nextSequence(), target: id), to: endpoint(of: member))
        }
        pendingConfirmations.replaceSubrange(0..<index, with: waiting)
    }
}
