import Membership

/// Steady-state cost of full-membership SWIM per peer, from the protocol settings and
/// the codec sizes: what the simulator measures at sizes it can run, and what decides
/// the design beyond them. Gossip of membership changes is left out (it is
/// proportional to churn, not to n).
public struct MembershipCostModel: Hashable, Sendable, Codable {
    public var peers: Int
    /// One push-pull packet (request or response) carrying the full table.
    public var pushPullBytes: Double
    /// Seconds between one peer's push-pulls.
    public var pushPullPeriodSeconds: Double
    /// Bytes per second a peer sends: its pings and acks plus push-pull requests and responses.
    public var bytesPerSecond: Double
    /// The suspicion timeout floor: a crash is known everywhere a little after it.
    public var suspicionMinimumSeconds: Double
    /// The membership table of one peer in memory, at `tableBytesPerMember`.
    public var tableBytes: Double

    /// Bytes per member in a `MembershipStateMachine` table as measured in the
    /// simulator: peak RSS of a 10,000-peer run over its 10⁸ peer–member pairs
    /// (`MemberTable` columns, index and probe order; records are shared). A
    /// `Dictionary<MemberID, Member>` table measured ≈ 345 bytes.
    public static let tableBytesPerMember = 33.0

    public init(peers: Int, configuration: MembershipConfiguration = MembershipConfiguration(), modeledAddressBytes: Int = 18) {
        let sizer = PacketSizer(modeledAddressBytes: modeledAddressBytes)
        var random = SimulationRandom(seed: 1)
        let record = MemberRecord(
            id: MemberID(bytes: random.bytes32())!, address: "n1:7946", zone: "zone-1", capacity: 1 << 40,
            incarnation: 1_700_000_000
        )
        func pushPull(_ members: Int) -> Double {
            let state = PushPullState(isResponse: false, isJoin: false, members: Array(
                repeating: MemberSnapshot(record: record, state: .alive), count: members
            ))
            return Double(sizer.size(of: MembershipPacket(sender: record.id, senderAddress: record.address, message: .pushPull(state))))
        }
        let ping = sizer.size(of: MembershipPacket(sender: record.id, senderAddress: record.address, message: .ping(seq: 1_000, target: record.id)))
        let ack = sizer.size(of: MembershipPacket(sender: record.id, senderAddress: record.address, message: .ack(seq: 1_000)))
        let perRecord = pushPull(2) - pushPull(1)
        self.peers = peers
        pushPullBytes = pushPull(1) + perRecord * Double(peers - 1)
        pushPullPeriodSeconds = configuration.pushPullPeriod(members: peers).seconds
        bytesPerSecond = Double(ping + ack) / configuration.probeInterval.seconds + 2 * pushPullBytes / pushPullPeriodSeconds
        suspicionMinimumSeconds = configuration.suspicionMinimum(members: peers).seconds
        tableBytes = Self.tableBytesPerMember * Double(peers)
    }
}
