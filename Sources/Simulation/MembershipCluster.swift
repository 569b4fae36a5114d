import Membership

/// Thousands of real `MembershipStateMachine`s on a simulated network, driven by a
/// virtual clock and one event queue. Nothing sleeps and nothing is shared with the
/// outside world, so a run is decided by its seed and the calls made on it.
///
/// Peers start warm: each machine is created knowing every member (`restore`), the
/// state a network reaches after its joins have settled, so a 10,000-peer run does not
/// spend its first minutes, and most of its memory, on join gossip.
public struct MembershipCluster {
    private enum Event {
        case tick(Int32)
        case deliver(slot: Int32, to: Int32)
    }

    /// The protocol settings every peer runs.
    public let configuration: MembershipConfiguration
    /// Latency and loss applied to every packet sent from now on.
    public var network: NetworkConditions
    /// Partition group of each peer; packets between different groups are lost.
    public var groups: [UInt8]?
    /// Peers whose state changes are recorded in `observations` (every peer's view).
    public var watched: Set<Int> = []
    /// The current simulated time.
    public private(set) var now: Duration = .zero
    /// Each peer's record at start.
    public let records: [MemberRecord]
    /// Packets and bytes sent so far.
    public private(set) var traffic: TrafficCounters
    /// Changes seen about `watched` peers.
    public private(set) var observations: [MembershipObservation] = []
    /// Every time a peer declared another dead.
    public private(set) var deathDeclarations: [MembershipObservation] = []
    /// How many times a peer started suspecting another.
    public private(set) var suspicionCount = 0
    /// Suspicions started, by the index of the suspected peer.
    public private(set) var suspicionsBySubject: [Int: Int] = [:]

    /// Not optional: reading a property of an optional element copied the whole
    /// machine (a dozen retains) on every event. A crashed peer's machine is swapped
    /// for an empty one, which frees its table.
    private var machines: [MembershipStateMachine]
    private var isUp: [Bool]
    private let indexByID: [MemberID: Int32]
    private let indexByAddress: [String: Int32]
    private var queue = EventQueue<Event>()
    private var scheduledTick: [Duration?]
    private var inFlight: [MembershipPacket?] = []
    private var freeSlots: [Int32] = []
    private var random: SimulationRandom
    private let sizer: PacketSizer

    /// Creates `count` peers in `zones` zones, all alive and knowing each other, with
    /// their protocol timers spread over one probe interval.
    /// Signatures are not what the simulator measures: a checksum stands in for them.
    static let authenticator = ChecksumAuthenticator()

    public init(
        count: Int, configuration: MembershipConfiguration = MembershipConfiguration(),
        network: NetworkConditions = NetworkConditions(), zones: Int = 8, seed: UInt64,
        modeledAddressBytes: Int? = 18
    ) {
        precondition(count >= 1 && count < Int(Int32.max), "peer count out of range")
        self.configuration = configuration
        self.network = network
        random = SimulationRandom(seed: seed)
        sizer = PacketSizer(modeledAddressBytes: modeledAddressBytes)
        var records = [MemberRecord]()
        records.reserveCapacity(count)
        for index in 0..<count {
            let id = MemberID(bytes: random.bytes32())!
            var record = MemberRecord(
                id: id, address: "n\(index):7946", zone: "zone-\(index % max(1, zones))",
                capacity: 1 << 40, incarnation: 1_700_000_000
            )
            // Signed once here, so every machine's copy of a record shares one object.
            record.proof = Self.authenticator.prove(.alive(record))
            records.append(record)
        }
        self.records = records
        indexByID = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.id, Int32($0)) })
        indexByAddress = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.address, Int32($0)) })
        traffic = TrafficCounters(peers: count)
        scheduledTick = Array(repeating: nil, count: count)
        machines = []
        machines.reserveCapacity(count)
        isUp = Array(repeating: true, count: count)
        let snapshots = records.map { MemberSnapshot(record: $0, state: .alive) }.sorted { $0.record.id < $1.record.id }
        let spread = configuration.probeInterval.seconds
        for index in 0..<count {
            let start = Duration.microseconds(Int64(random.unit() * spread * 1_000_000))
            var machine = MembershipStateMachine(local: records[index], configuration: configuration, authenticator: Self.authenticator, seed: random.next(), now: start)
            machine.restore(snapshots, now: start)
            machines.append(machine)
            schedule(index, deadline: machine.nextDeadline)
        }
    }

    /// The number of peers, running or not.
    public var count: Int { records.count }

    /// Whether peer `index` is running.
    public func isRunning(_ index: Int) -> Bool { isUp[index] }

    /// Indices of the running peers.
    public var running: [Int] { isUp.indices.filter { isUp[$0] } }

    /// How peer `observer` sees peer `subject` (`nil` if unknown or not running).
    public func state(seenBy observer: Int, of subject: Int) -> MemberState? {
        isUp[observer] ? machines[observer].member(records[subject].id)?.state : nil
    }

    /// Alive plus suspect members in `observer`'s table, itself included.
    public func activeCount(seenBy observer: Int) -> Int? {
        isUp[observer] ? machines[observer].activeMemberCount : nil
    }

    /// Whether every running peer other than `subject` sees it in `state`.
    public func allSee(_ subject: Int, as state: MemberState) -> Bool {
        isUp.indices.allSatisfy { observer in
            observer == subject || !isUp[observer] || self.state(seenBy: observer, of: subject) == state
        }
    }

    /// Whether every running peer sees every running peer alive and nothing else active:
    /// one consistent view.
    public func viewsAgree() -> Bool {
        let alive = running
        for observer in alive {
            guard machines[observer].activeMemberCount == alive.count else { return false }
            for subject in alive where subject != observer && state(seenBy: observer, of: subject) != .alive {
                return false
            }
        }
        return true
    }

    /// Stops peer `index` without a word, as SIGKILL or a power cut would.
    public mutating func crash(_ index: Int) {
        isUp[index] = false
        machines[index] = MembershipStateMachine(local: records[index], configuration: configuration, authenticator: Self.authenticator, seed: 0, now: now)
        scheduledTick[index] = nil
    }

    /// Clears traffic counters, observations and death declarations (after a warm-up).
    public mutating func resetStatistics() {
        traffic.reset()
        observations = []
        deathDeclarations = []
        suspicionCount = 0
        suspicionsBySubject = [:]
    }

    /// Runs every event due up to `deadline`, then sets the clock to it.
    public mutating func run(until deadline: Duration) {
        while let time = queue.nextTime, time <= deadline {
            let event = queue.pop()!.payload
            now = time
            switch event {
            case .deliver(let slot, let target):
                let packet = inFlight[Int(slot)]!
                inFlight[Int(slot)] = nil
                freeSlots.append(slot)
                let index = Int(target)
                guard isUp[index] else { continue }
                let now = now
                let (actions, deadline) = Self.step(&machines[index]) { $0.receive(packet, now: now) }
                handle(actions, from: index, deadline: deadline)
            case .tick(let peer):
                let index = Int(peer)
                guard scheduledTick[index] == time, isUp[index] else { continue }
                scheduledTick[index] = nil
                let now = now
                let (actions, deadline) = Self.step(&machines[index]) { $0.tick(now: now) }
                handle(actions, from: index, deadline: deadline)
            }
        }
        if deadline > now { now = deadline }
    }

    /// Runs for `duration` of simulated time.
    public mutating func run(for duration: Duration) { run(until: now + duration) }

    /// Runs in steps of `step` until `condition` holds or `limit` passes; returns the
    /// simulated time at which it was first seen to hold.
    public mutating func run(
        atMost limit: Duration, step: Duration = .milliseconds(100), until condition: (MembershipCluster) -> Bool
    ) -> Duration? {
        let end = now + limit
        while now < end {
            if condition(self) { return now }
            run(for: step)
        }
        return condition(self) ? now : nil
    }

    /// Runs `call` on a machine in place and reads its next deadline in the same access.
    private static func step(
        _ machine: inout MembershipStateMachine, _ call: (inout MembershipStateMachine) -> [MembershipAction]
    ) -> ([MembershipAction], Duration) {
        let actions = call(&machine)
        return (actions, machine.nextDeadline)
    }

    private mutating func handle(_ actions: [MembershipAction], from index: Int, deadline: Duration) {
        for action in actions {
            switch action {
            case .send(let packet, let endpoint):
                send(packet, to: endpoint, from: index)
            case .memberChanged(let event):
                record(event, observer: index)
            case .memberForgotten, .memberConfirmed:
                break
            }
        }
        schedule(index, deadline: deadline)
    }

    private mutating func send(_ packet: MembershipPacket, to endpoint: MembershipEndpoint, from index: Int) {
        let size = sizer.size(of: packet)
        traffic.bytesSent[index] += UInt64(size)
        traffic.packetsSent += 1
        if case .pushPull = packet.message {
            traffic.pushPullPackets += 1
            traffic.pushPullBytes += UInt64(size)
        }
        let resolved = endpoint.id.flatMap { indexByID[$0] } ?? indexByAddress[endpoint.address]
        guard let target = resolved, isDelivered(from: index, to: Int(target)) else {
            traffic.packetsLost += 1
            return
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            inFlight[Int(slot)] = packet
        } else {
            slot = Int32(inFlight.count)
            inFlight.append(packet)
        }
        queue.push(.deliver(slot: slot, to: target), at: now + network.latency(using: &random))
    }

    private mutating func isDelivered(from source: Int, to target: Int) -> Bool {
        if let groups, groups[source] != groups[target] { return false }
        return !random.chance(network.lossRate)
    }

    private mutating func record(_ event: MembershipEvent, observer: Int) {
        guard let subject = indexByID[event.member.id].map(Int.init) else { return }
        let observation = MembershipObservation(
            time: now, observer: observer, subject: subject, state: event.member.state, previousState: event.previousState
        )
        if event.member.state == .suspect, event.previousState != .suspect {
            suspicionCount += 1
            suspicionsBySubject[subject, default: 0] += 1
        }
        if event.member.state == .dead, event.previousState != .dead { deathDeclarations.append(observation) }
        if watched.contains(subject) { observations.append(observation) }
    }

    private mutating func schedule(_ index: Int, deadline: Duration) {
        guard isUp[index] else { return }
        let wanted = max(deadline, now + .milliseconds(1))
        if let scheduled = scheduledTick[index], scheduled <= wanted, scheduled >= now { return }
        scheduledTick[index] = wanted
        queue.push(.tick(Int32(index)), at: wanted)
    }
}
