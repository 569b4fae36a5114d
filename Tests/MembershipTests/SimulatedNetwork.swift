import Membership

/// A deterministic in-memory network of membership state machines: packets travel
/// with random latency, may be dropped, and may be blocked by a partition. Time is
/// simulated; nothing sleeps.
struct SimulatedNetwork {
    private enum Event {
        case deliver(MembershipPacket, to: Int)
        case tick(Int)
    }

    let configuration: MembershipConfiguration
    private(set) var now: Duration = .zero
    private(set) var machines: [MembershipStateMachine?]
    let ids: [MemberID]
    let addresses: [String]
    private let indexByAddress: [String: Int]
    private var queue = EventHeap<Event>()
    private var scheduledTick: [Duration?]
    private var random: Xoshiro256StarStar
    /// Probability that any one packet is lost.
    var dropRate = 0.0
    /// One-way latency in milliseconds.
    var latency: ClosedRange<Int> = 1...10
    /// Partition group of each node; packets between different groups are lost.
    var groups: [Int]?
    /// Nodes whose packets, both ways, are lost.
    var isolated: Set<Int> = []
    /// Every membership event, with the node that observed it.
    private(set) var events: [(time: Duration, observer: Int, event: MembershipEvent)] = []
    private(set) var packetsSent = 0

    init(count: Int, configuration: MembershipConfiguration = MembershipConfiguration(), seed: UInt64) {
        self.configuration = configuration
        random = Xoshiro256StarStar(seed: seed)
        var ids = [MemberID]()
        for _ in 0..<count {
            var bytes = [UInt8]()
            for _ in 0..<32 { bytes.append(UInt8.random(in: 0...255, using: &random)) }
            ids.append(MemberID(bytes: bytes)!)
        }
        self.ids = ids
        addresses = (0..<count).map { "10.0.\($0 / 250).\($0 % 250 + 1):7946" }
        indexByAddress = Dictionary(uniqueKeysWithValues: addresses.enumerated().map { ($1, $0) })
        machines = Array(repeating: nil, count: count)
        scheduledTick = Array(repeating: nil, count: count)
    }

    var running: [Int] { machines.indices.filter { machines[$0] != nil } }

    /// Starts node `index` with `incarnation` and joins it through `seeds` (node indices).
    mutating func start(_ index: Int, incarnation: UInt64 = 1, seeds: [Int]) {
        let record = MemberRecord(
            id: ids[index], address: addresses[index], zone: "z\(index % 3)", capacity: 1 << 40, incarnation: incarnation
        )
        machines[index] = MembershipStateMachine(
            local: record, configuration: configuration, authenticator: checksums, seed: random.next(), now: now
        )
        scheduledTick[index] = nil
        let actions = machines[index]!.join(seeds: seeds.map { addresses[$0] }, now: now)
        handle(actions, from: index)
    }

    /// Stops node `index` without a word, as SIGKILL would.
    mutating func crash(_ index: Int) {
        machines[index] = nil
        scheduledTick[index] = nil
    }

    mutating func leave(_ index: Int) {
        guard let actions = machines[index]?.leave(now: now) else { return }
        handle(actions, from: index)
    }

    /// Runs until `deadline`.
    mutating func run(until deadline: Duration) {
        while let time = queue.nextTime, time <= deadline {
            let (_, event) = queue.pop()!
            now = time
            switch event {
            case .deliver(let packet, let index):
                guard let actions = machines[index]?.receive(packet, now: now) else { continue }
                handle(actions, from: index)
            case .tick(let index):
                guard scheduledTick[index] == time, let actions = machines[index]?.tick(now: now) else { continue }
                scheduledTick[index] = nil
                handle(actions, from: index)
            }
        }
        now = deadline
    }

    mutating func run(for duration: Duration) { run(until: now + duration) }

    /// Runs in steps of `step` until `condition` holds or `limit` passes; returns
    /// the time it first held.
    mutating func run(
        atMost limit: Duration, step: Duration = .milliseconds(100), until condition: (SimulatedNetwork) -> Bool
    ) -> Duration? {
        let end = now + limit
        while now < end {
            if condition(self) { return now }
            run(for: step)
        }
        return condition(self) ? now : nil
    }

    /// How `observer` sees `target`.
    func state(seenBy observer: Int, of target: Int) -> MemberState? {
        machines[observer]?.member(ids[target])?.state
    }

    /// Whether every running node other than `target` sees it in `state`.
    func allSee(_ target: Int, as state: MemberState) -> Bool {
        running.allSatisfy { $0 == target || self.state(seenBy: $0, of: target) == state }
    }

    /// Whether every running node sees every other running node alive.
    func allRunningSeeEachOtherAlive() -> Bool {
        let nodes = running
        return nodes.allSatisfy { observer in
            nodes.allSatisfy { $0 == observer || state(seenBy: observer, of: $0) == .alive }
        }
    }

    private mutating func handle(_ actions: [MembershipAction], from index: Int) {
        for action in actions {
            switch action {
            case .send(let packet, let endpoint):
                packetsSent += 1
                guard let target = indexByAddress[endpoint.address], isDelivered(from: index, to: target) else { continue }
                let delay = Duration.milliseconds(Int.random(in: latency, using: &random))
                queue.push(.deliver(packet, to: target), at: now + delay)
            case .memberChanged(let event):
                events.append((now, index, event))
            case .memberForgotten, .memberConfirmed:
                break
            }
        }
        guard let machine = machines[index] else { return }
        let wanted = max(machine.nextDeadline, now + .milliseconds(1))
        if let scheduled = scheduledTick[index], scheduled <= wanted { return }
        scheduledTick[index] = wanted
        queue.push(.tick(index), at: wanted)
    }

    private mutating func isDelivered(from source: Int, to target: Int) -> Bool {
        if isolated.contains(source) || isolated.contains(target) { return false }
        if let groups, groups[source] != groups[target] { return false }
        return dropRate == 0 || Double.random(in: 0..<1, using: &random) >= dropRate
    }
}
