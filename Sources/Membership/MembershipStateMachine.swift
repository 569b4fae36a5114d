/// SWIM failure detection and gossip with HashiCorp's Lifeguard extensions, as a pure
/// state machine.
///
/// The driver owns the sockets and the clock. It calls `join`, `tick`, `receive` and
/// `leave` with the current time (any monotonic origin, the same for every call) and
/// carries out the returned actions. It should call `tick` again at `nextDeadline`
/// (or earlier; extra ticks are harmless). Randomness comes from a seeded generator,
/// so a run is reproducible from its seed and inputs.
///
/// Incarnation at start: the driver should pass a value higher than any this NodeID
/// used before, e.g. the persisted last value + 1, or simply the Unix time in seconds.
/// If it is lower, the member hears about its old incarnation in the first push-pull
/// and refutes with a higher one, so correctness does not depend on it.
///
/// Claims only a member may make (`alive` records, `left`) are accepted only with the
/// member's own proof, checked by the injected `MembershipAuthenticator`; a packet
/// carrying one that fails is not read further. Incarnations rise by at most
/// `maxIncarnationStep`, and the table grows to at most `maxMembers` at a bounded rate.
///
/// Keys are cheap, so valid proofs do not make a member real: one first heard of from a
/// third party is on probation until a packet of its own arrives (the driver checks each
/// packet's sender against its TLS identity). It is pinged to confirm it, probed as any
/// member, but gets no gossip, push-pull or indirect probe, and `isConfirmed` tells the
/// driver to leave it out of the placement.
public struct MembershipStateMachine: Sendable {
    /// The protocol settings.
    public let configuration: MembershipConfiguration
    /// This peer's id.
    public let localID: MemberID
    /// Signs this member's claims and checks everyone else's.
    let authenticator: any MembershipAuthenticator
    /// How many more members may be added now.
    var admissions: AdmissionBudget
    /// Set when a claim of the packet being read failed its check: the sender lies (an
    /// honest peer relays only checked claims), so the rest of the packet is ignored.
    var isRejectingPacket = false
    /// The sender of the packet being read: a member in its own packet is confirmed.
    var currentSender: MemberID?
    /// Members on probation: heard of only from a third party, no packet of their own yet.
    public internal(set) var onProbation: Set<MemberID> = []
    /// Members on probation not yet pinged, oldest first.
    var pendingConfirmations: [MemberID] = []
    /// Addresses sent a confirmation ping in this gossip round (one ping each).
    var confirmationAddresses: Set<String> = []

    var table = MemberTable()
    /// Rows of the members to probe, shuffled once per round; may hold stale entries
    /// that the selection skips, so membership changes never cost O(n). Rebuilt
    /// whenever rows move (`MemberTable.removeAll`).
    var probeOrder: [Int32] = []
    var probeIndex = 0
    /// Alive and suspect members, this peer included: the `n` of the formulas.
    var activeCount = 1
    var random: Xoshiro256StarStar
    var sequence: UInt32 = 0
    var health = 0
    var probe: Probe?
    var relays: [UInt32: Relay] = [:]
    /// Each member's round trip, smoothed from the acks of direct pings as TCP smooths
    /// its own (RFC 6298): probe and relay timeouts stretch to it, so members far away are
    /// not suspected for their distance. Forgotten with the member.
    var roundTrips: [MemberID: Duration] = [:]
    var suspicions: [MemberID: Suspicion] = [:]
    /// Members in state `dead`, kept apart so the reconnect round need not scan the table.
    var deadIDs: Set<MemberID> = []
    var broadcasts = BroadcastQueue()
    var seeds: [String] = []
    var isLeaving = false
    var nextProbeAt: Duration
    var nextGossipAt: Duration
    var nextPushPullAt: Duration
    var nextReconnectAt: Duration
    var nextJoinAt: Duration?
    var actions: [MembershipAction] = []

    /// A probe in flight.
    struct Probe: Sendable {
        var target: MemberID
        var incarnation: UInt64
        var seq: UInt32
        var sentAt: Duration
        var indirectAt: Duration
        var deadline: Duration
        var indirectSent = false
        var expectedNacks = 0
        var nacks = 0
    }

    /// An indirect probe this peer makes on behalf of `origin`.
    struct Relay: Sendable {
        var origin: MembershipEndpoint
        var originSeq: UInt32
        var target: MemberID?
        var sentAt: Duration
        var nackAt: Duration
        var expiresAt: Duration
        var nackSent = false
    }

    /// Creates the state machine of the local member `local`, alive at `now`. `local` is
    /// signed with `authenticator` unless it already carries a valid proof.
    public init(
        local: MemberRecord, configuration: MembershipConfiguration = MembershipConfiguration(),
        authenticator: any MembershipAuthenticator, seed: UInt64, now: Duration
    ) {
        self.configuration = configuration
        self.localID = local.id
        self.authenticator = authenticator
        self.admissions = AdmissionBudget(burst: configuration.memberAdmissionBurst, perSecond: configuration.memberAdmissionsPerSecond)
        self.random = Xoshiro256StarStar(seed: seed)
        var local = local
        if !authenticator.isAuthentic(.alive(local), proof: local.proof) { local.proof = authenticator.prove(.alive(local)) }
        table.append(Member(record: local, state: .alive, since: now))
        nextProbeAt = now + configuration.probeInterval
        nextGossipAt = now + configuration.gossipInterval
        nextPushPullAt = now + configuration.pushPullInterval
        nextReconnectAt = now + configuration.reconnectInterval
    }

    // MARK: - Queries

    /// This peer as the others should see it.
    public var localMember: Member {
        get { table[0] }
        set { table[0] = newValue }
    }

    /// Every known member, this peer included, in no particular order.
    public var members: MemberTable { table }

    /// The member with `id`, if known.
    public func member(_ id: MemberID) -> Member? { table[id: id] }

    /// Whether `id` is known and not on probation: it sent a packet of its own, was
    /// restored by the driver, or is this peer.
    public func isConfirmed(_ id: MemberID) -> Bool {
        table.row(of: id) != nil && !onProbation.contains(id)
    }

    /// Alive and suspect members, this peer included.
    public var activeMemberCount: Int { activeCount }

    /// Lifeguard local health: 0 is healthy; probes slow down by `health + 1`.
    public var localHealth: Int { health }

    /// The latest time by which `tick` should be called again.
    public var nextDeadline: Duration {
        var deadline = min(nextGossipAt, nextPushPullAt, nextReconnectAt)
        if !isLeaving { deadline = min(deadline, nextProbeAt) }
        if let probe { deadline = min(deadline, probe.indirectSent ? probe.deadline : probe.indirectAt) }
        if let nextJoinAt { deadline = min(deadline, nextJoinAt) }
        for relay in relays.values { deadline = min(deadline, relay.nackSent ? relay.expiresAt : relay.nackAt) }
        for suspicion in suspicions.values { deadline = min(deadline, suspicion.deadline) }
        return deadline
    }

    // MARK: - Inputs

    /// Contacts `seeds` ("host:port") with a push-pull join, and again every
    /// `joinRetryInterval` while no other live member is known.
    public mutating func join(seeds: [String], now: Duration) -> [MembershipAction] {
        let own = localMember.address
        self.seeds = seeds.filter { $0 != own }
        sendJoin(now: now)
        return takeActions()
    }

    /// Handles one packet whose `sender` the driver has authenticated.
    public mutating func receive(_ packet: MembershipPacket, now: Duration) -> [MembershipAction] {
        guard packet.sender != localID else { return takeActions() }
        isRejectingPacket = false
        currentSender = packet.sender
        defer {
            isRejectingPacket = false
            currentSender = nil
        }
        confirm(packet.sender)
        for update in packet.gossip {
            apply(update, now: now)
            if isRejectingPacket { return takeActions() }
        }
        let sender = MembershipEndpoint(id: packet.sender, address: packet.senderAddress)
        switch packet.message {
        case .ping(let seq, let target):
            // A ping meant for whoever used to have this address is not ours to answer.
            if target == localID { send(.ack(seq: seq), to: sender) }
        case .ack(let seq):
            handleAck(seq: seq, now: now)
        case .nack(let seq):
            if probe?.seq == seq { probe?.nacks += 1 }
        case .pingRequest(let seq, let target, let targetAddress):
            startRelay(originSeq: seq, origin: sender, target: MembershipEndpoint(id: target, address: targetAddress), now: now)
        case .gossip:
            break
        case .pushPull(let state):
            merge(state.members, from: packet.sender, now: now)
            if isRejectingPacket { return takeActions() }
            if !state.isResponse {
                send(.pushPull(PushPullState(isResponse: true, isJoin: false, members: snapshot())), to: sender)
            }
        }
        return takeActions()
    }

    /// Runs every timer due at `now`: probes, suspicion timeouts, gossip, push-pull.
    public mutating func tick(now: Duration) -> [MembershipAction] {
        expireRelays(now: now)
        if !isLeaving {
            advanceProbe(now: now)
            if now >= nextProbeAt { startProbe(now: now) }
        }
        let expired = suspicions.isEmpty ? [] : suspicions.filter { $0.value.deadline <= now }.keys.sorted()
        for id in expired {
            guard let suspicion = suspicions[id] else { continue }
            applyDead(id, incarnation: suspicion.incarnation, accuser: localID, now: now)
        }
        if now >= nextGossipAt {
            confirmationAddresses = []
            sendConfirmationPings()
            gossipRound(now: now)
            nextGossipAt = now + configuration.gossipInterval
        }
        if now >= nextPushPullAt {
            if !isLeaving { pushPullRound() }
            nextPushPullAt = now + configuration.pushPullPeriod(members: activeCount)
        }
        if now >= nextReconnectAt {
            if !isLeaving { reconnectRound() }
            nextReconnectAt = now + configuration.reconnectInterval
        }
        if let joinAt = nextJoinAt, now >= joinAt {
            if activeCount > 1 || isLeaving { nextJoinAt = nil } else { sendJoin(now: now) }
        }
        return takeActions()
    }

    /// Adds members learnt elsewhere (a table persisted before a restart, or a
    /// simulator's warm start) without gossiping them or reporting events; the driver
    /// reads `members` afterwards. Known members and this peer are skipped; a `suspect`
    /// is restored as `alive`, since its suspicion timer is not carried over. The input
    /// is trusted (proofs are not checked), but the table cap holds.
    public mutating func restore(_ snapshots: [MemberSnapshot], now: Duration) {
        table.reserveCapacity(min(configuration.maxMembers, table.count + snapshots.count))
        for snapshot in snapshots where snapshot.record.id != localID && table.row(of: snapshot.record.id) == nil {
            guard table.count < configuration.maxMembers else { break }
            let state: MemberState = snapshot.state == .suspect ? .alive : snapshot.state
            table.append(Member(record: snapshot.record, state: state, since: now))
            if state == .alive { activeCount += 1 }
            if state == .dead { deadIDs.insert(snapshot.record.id) }
        }
        rebuildProbeOrder(now: now)
    }

    /// Leaves gracefully: tells several members directly and gossips `left`. The driver
    /// should keep calling `tick` for a few gossip intervals before closing.
    public mutating func leave(now: Duration) -> [MembershipAction] {
        guard !isLeaving else { return takeActions() }
        isLeaving = true
        probe = nil
        nextJoinAt = nil
        let incarnation = localMember.incarnation
        let proof = authenticator.prove(.left(localID, incarnation: incarnation))
        localMember.state = .left
        localMember.since = now
        localMember.record.proof = proof
        activeCount -= 1
        broadcasts.enqueue(.left(localID, incarnation: incarnation, proof: proof))
        for target in randomMembers(configuration.leaveFanout, where: { $0.isActive }) {
            send(.gossip, to: endpoint(of: target))
        }
        return takeActions()
    }

    /// Publishes new load figures (bumps the incarnation so the update wins everywhere).
    public mutating func updateMeta(_ meta: MemberMeta, now: Duration) -> [MembershipAction] {
        guard localMember.record.meta != meta, !isLeaving else { return takeActions() }
        localMember.record.meta = meta
        raiseIncarnation(above: localMember.incarnation)
        broadcasts.enqueue(.alive(localMember.record))
        return takeActions()
    }

    mutating func takeActions() -> [MembershipAction] {
        let taken = actions
        actions = []
        return taken
    }
}
