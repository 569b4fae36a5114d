import APIModel
import ChunkStore
import Foundation
import Logging
import Membership
import NIOCore
import Transport
import Workers

/// Runs this peer's SWIM membership: feeds the state machine packets and ticks on a clock,
/// carries out what it asks for (packets to send, members changed, forgotten), keeps the
/// address book, and rebuilds the placement when the membership changes.
actor MembershipDriver {
    private var machine: MembershipStateMachine
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    let placement: Placement
    let network: NetworkSettings
    let calls: any PeerCalls
    let background: BackgroundTasks
    let book: any AddressBook
    /// This peer's used bytes and chunk count, announced now and then.
    let usage: @Sendable () -> MemberMeta
    /// Fired when the placement changed: repair starts its next pass at once.
    let placementChanged: WorkerTrigger
    let logger: Logger
    /// Set by `stop`: a stopped driver ignores packets and sends nothing.
    private var isStopped = false
    private var lastMetaUpdateTime: Duration = .zero
    /// How many times the placement was rebuilt (membership changes, the periodic
    /// refresh): a flood of members must not turn into a flood of ring builds.
    var placementRebuilds = 0
    /// Failed members an operator removed (`p2p peer remove`), with the incarnation they
    /// failed at: out of the placement while dead or suspect at no higher incarnation
    /// (`MembershipDriver+Removal`). Only members of the table, so bounded by its cap.
    var removals: [MemberID: UInt64] = [:]
    /// Members the network revoked (`NetworkKeyService`): never placed, never shown.
    var revoked: Set<MemberID> = []

    init(
        machine: MembershipStateMachine, placement: Placement, network: NetworkSettings, calls: any PeerCalls, background: BackgroundTasks,
        book: any AddressBook, usage: @escaping @Sendable () -> MemberMeta, placementChanged: WorkerTrigger, logger: Logger
    ) {
        self.machine = machine
        self.origin = clock.now
        self.placement = placement
        self.network = network
        self.calls = calls
        self.background = background
        self.book = book
        self.usage = usage
        self.placementChanged = placementChanged
        self.logger = logger
    }

    /// Interval between announcements of this peer's used bytes and chunk count; each
    /// announcement raises the incarnation, so it is kept rare.
    static let metaInterval = Duration.seconds(30)

    /// The membership's time: since the driver was made.
    var now: Duration { clock.now - origin }

    var members: MemberTable { machine.members }

    /// Members on probation (see `MembershipStateMachine.isConfirmed`).
    var onProbation: Set<MemberID> { machine.onProbation }
    func member(_ id: MemberID) -> Member? { machine.member(id) }
    var localMember: Member { machine.localMember }

    /// Builds the first placement and greets `seeds`.
    func join(seeds: [String]) {
        rebuildPlacement()
        perform(machine.join(seeds: seeds, now: now))
    }

    /// Runs the protocol's timers; returns how long until they are next due (5–200 ms).
    func tick() -> Duration {
        guard !isStopped else { return .milliseconds(200) }
        perform(machine.tick(now: now))
        refreshMetaIfDue()
        return min(max(machine.nextDeadline - now, .milliseconds(5)), .milliseconds(200))
    }

    /// Feeds a packet from an admitted peer (sender already checked) to the state machine.
    func receive(_ packet: MembershipPacket) {
        guard !isStopped else { return }
        perform(machine.receive(packet, now: now))
    }

    /// Announces `left` and keeps ticking for `spread`, so the announcement goes out.
    func leave(spread: Duration = .seconds(1)) async {
        guard !isStopped else { return }
        perform(machine.leave(now: now))
        let end = now + spread
        while now < end {
            try? await Task.sleep(for: .milliseconds(100))  // let the leave gossip go out
            perform(machine.tick(now: now))
        }
    }

    /// From now on, packets are ignored and nothing is sent.
    func stop() {
        isStopped = true
    }

    /// Carries out what the membership state machine asked for. The placement is
    /// rebuilt once per batch, however many members changed in it.
    private func perform(_ actions: [MembershipAction]) {
        guard !isStopped else { return }
        var changed = false
        for action in actions {
            switch action {
            case .send(let packet, let endpoint):
                if let id = endpoint.id, revoked.contains(id) { continue }
                let request = ControlMessages.Membership(packet)
                let expected = endpoint.id.map { NodeID($0) }
                let calls = calls, logger = logger
                // A lost packet is what SWIM expects: failures are only logged.
                background.spawn {
                    do {
                        try await calls.call(request, at: endpoint.address, expecting: expected, timeout: .seconds(2))
                    } catch {
                        logger.trace("membership packet not delivered", metadata: ["address": "\(endpoint.address)", "error": "\(error)"])
                    }
                }
            case .memberChanged(let event):
                if event.member.id != machine.localID { changed = true }
                record(event)
            case .memberForgotten(let id):
                book.forget(Data(id.bytes))
                removals[id] = nil
            case .memberConfirmed(let id):
                changed = true
                if let member = machine.member(id) { record(MembershipEvent(member: member, previousState: nil)) }
            }
        }
        if changed { rebuildPlacement() }
    }

    /// Logs a member's change and keeps it in the address book. A member on probation is
    /// logged at debug level and not kept: the book's addresses are contacted at the next
    /// start and its members awaited (`ViewWarmup`), and what a third party made up must
    /// not reach either. It is kept once confirmed.
    private func record(_ event: MembershipEvent) {
        let member = event.member
        guard member.id != machine.localID else { return }
        let short = NodeID(member.id).short
        let confirmed = machine.isConfirmed(member.id)
        logger.log(level: confirmed ? .info : .debug, "member \(member.state)\(confirmed ? "" : " (on probation)")", metadata: [
            "peer": "\(short)", "address": "\(member.address)", "incarnation": "\(member.incarnation)",
            "was": "\(event.previousState.map { "\($0)" } ?? "unknown")",
        ])
        guard confirmed else { return }
        let state: PeerRecord.State = switch member.state {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        }
        book.save(PeerRecord(
            nodeID: Data(member.id.bytes), address: member.address, zone: member.record.zone,
            capacity: Int64(clamping: member.record.capacity), incarnation: Int64(clamping: member.incarnation),
            state: state, lastSeen: Date()))
    }

    private func refreshMetaIfDue() {
        guard now - lastMetaUpdateTime >= Self.metaInterval else { return }
        lastMetaUpdateTime = now
        let meta = usage()
        guard meta != machine.localMember.record.meta else { return }
        perform(machine.updateMeta(meta, now: now))
    }
}

extension MembershipDriver {
    /// Answers one membership RPC: a SWIM packet whose sender must be the peer that proved
    /// its key over TLS.
    func answer(_ request: RPCRequest) async throws -> ByteBuffer {
        let bytes = request.payload.getBytes(at: request.payload.readerIndex, length: request.payload.readableBytes) ?? []
        let packet: MembershipPacket
        do {
            packet = try MessageCodec.decode(bytes)
        } catch {
            throw RPCError.badRequest("membership packet: \(error)")
        }
        guard packet.sender.bytes == request.peer.bytes else {
            logger.warning("membership packet with a forged sender", metadata: ["peer": "\(request.peer.short)"])
            throw RPCError.badRequest("packet sender does not match the connection's NodeID")
        }
        receive(packet)
        return ByteBuffer()
    }
}
