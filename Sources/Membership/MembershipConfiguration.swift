/// Protocol timing and fan-out, with HashiCorp memberlist's LAN defaults.
public struct MembershipConfiguration: Hashable, Sendable {
    /// One failure-detection round: each period probes one member.
    public var probeInterval: Duration = .seconds(1)
    /// How long to wait for a direct ack before asking others to probe indirectly.
    public var probeTimeout: Duration = .milliseconds(500)
    /// Members asked to probe indirectly (k).
    public var indirectChecks = 3
    /// Suspicion timeout floor = `suspicionMult × max(1, log10(n)) × probeInterval`.
    public var suspicionMult = 4
    /// Suspicion timeout ceiling = `suspicionMaxTimeoutMult ×` the floor. The timeout
    /// starts at the ceiling and falls toward the floor as independent accusers confirm.
    public var suspicionMaxTimeoutMult = 6
    /// Each update is piggy-backed `retransmitMult × ceil(log10(n + 1))` times.
    public var retransmitMult = 4
    /// Full state exchange with one random member (scaled up beyond 32 members, and
    /// further by `pushPullBytesPerSecond`).
    public var pushPullInterval: Duration = .seconds(30)
    /// The full-state traffic a peer may spend on its periodic push-pulls, in bytes
    /// per second: beyond ≈ 460 members the push-pull period stretches so that a
    /// request plus a response, each `members × estimatedRecordBytes`, fit in it. With
    /// memberlist's scaling alone this traffic grows as n / log n (4.9 KB/s at 10,000
    /// members); with the cap it stays at this figure (docs/scale.md). Since records
    /// carry 96-byte proofs (168 B in all), the cap takes over beyond ≈ 460 members.
    public var pushPullBytesPerSecond = 1_024
    /// Gossip-only packets to `gossipNodes` random members this often, while updates wait.
    public var gossipInterval: Duration = .milliseconds(200)
    /// Fan-out of each gossip round.
    public var gossipNodes = 3
    /// Dead members still receive gossip this long, so a live one can hear it and refute.
    public var gossipToTheDeadTime: Duration = .seconds(30)
    /// Lifeguard: local health ranges over `0 ..< awarenessMaxMultiplier`; probe
    /// interval and timeout are multiplied by `health + 1`.
    public var awarenessMaxMultiplier = 8
    /// At most this many updates ride on one packet.
    public var maxPiggybackUpdates = 16
    /// How often a push-pull is sent to one random dead member; this is what heals a
    /// partition once it is gone (Serf's "reconnect").
    public var reconnectInterval: Duration = .seconds(10)
    /// How often the seeds are asked again while no other live member is known.
    public var joinRetryInterval: Duration = .seconds(2)
    /// Members sent the `left` update directly on `leave`.
    public var leaveFanout = 6
    /// Dead and left members are forgotten after this long.
    public var deadRetention: Duration = .seconds(72 * 3600)
    /// The member table holds at most this many members, this peer and the dead and
    /// left included; members beyond it are not added (they are still heard of again
    /// once rows are forgotten).
    public var maxMembers = 16_384
    /// Members added at once before the rate below applies (a join takes this many
    /// from its first push-pull; the rest arrive with later exchanges).
    public var memberAdmissionBurst = 4_096
    /// Members added per second once the burst is spent.
    public var memberAdmissionsPerSecond = 64
    /// Members on probation (heard of only from a third party) pinged per gossip round
    /// to confirm them; the rest wait for later rounds or for the probe round.
    public var confirmationPingsPerRound = 16
    /// A member's incarnation may rise by at most this much in one step, so no claim can
    /// exhaust the 64-bit space (a restart that uses Unix seconds jumps by its downtime).
    public var maxIncarnationStep: UInt64 = 1 << 32
    /// A member first heard of must have an incarnation at most this, leaving room above.
    public var maxFirstIncarnation: UInt64 = 1 << 62

    /// The defaults.
    public init() {}

    /// The suspicion timeout floor for a cluster of `members` live members.
    public func suspicionMinimum(members: Int) -> Duration {
        let scale = max(1, log10(Double(max(1, members))))
        return probeInterval * (Double(suspicionMult) * scale)
    }

    /// The suspicion timeout ceiling for a cluster of `members` live members.
    public func suspicionMaximum(members: Int) -> Duration {
        suspicionMinimum(members: members) * suspicionMaxTimeoutMult
    }

    /// How many times each update is piggy-backed in a cluster of `members`.
    public func retransmitLimit(members: Int) -> Int {
        retransmitMult * ceiling(log10(Double(members + 1)))
    }

    /// An upper bound on the time from a crash to every live member listing it dead,
    /// at full local health and without message loss: each live member probes every
    /// other at least once per two rounds of `members − 1` periods; the first failed
    /// probe starts a suspicion that ends within the ceiling; the `dead` update then
    /// reaches everyone within its retransmissions.
    public func failureDetectionBound(members: Int) -> Duration {
        let firstProbe = probeInterval * (2 * max(1, members - 1))
        let dissemination = gossipInterval * (retransmitLimit(members: members) * 2)
        return firstProbe + suspicionMaximum(members: members) + dissemination
    }

    /// An encoded member record in a push-pull with an IPv4 "host:port" address, a
    /// short zone name, a TB-sized capacity and the member's proof.
    public static let estimatedRecordBytes = 72 + MemberProof.byteCount

    /// The push-pull period for a cluster of `members`: memberlist's scaling (× 2 at 33
    /// members, one more step per doubling), stretched further where the full-state
    /// traffic would exceed `pushPullBytesPerSecond`.
    public func pushPullPeriod(members: Int) -> Duration {
        guard members > 32 else { return pushPullInterval }
        let multiplier = ceiling(log2(Double(members)) - 5) + 1
        let scaled = pushPullInterval * multiplier
        guard pushPullBytesPerSecond > 0 else { return scaled }
        let capped = Duration.seconds(Double(2 * members * Self.estimatedRecordBytes) / Double(pushPullBytesPerSecond))
        return max(scaled, capped)
    }
}

/// Logarithms without Foundation: `log(x) = log2(x) · ln 2`, with log2 from the
/// exponent and a short series on the mantissa.
func log2(_ x: Double) -> Double {
    guard x > 0 else { return -.infinity }
    let exponent = Double(x.exponent)
    let mantissa = x.significand  // in [1, 2)
    // ln(m) = 2·atanh((m−1)/(m+1)), converging fast for m in [1, 2).
    let y = (mantissa - 1) / (mantissa + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var k = 1.0
    while k < 40 {
        sum += term / k
        term *= y2
        k += 2
    }
    return exponent + 2 * sum / 0.693_147_180_559_945_3
}

/// The smallest integer ≥ `x` (for small non-negative `x`), forgiving the last-bit
/// error of the series above so that exact powers give exact results. Avoids libm's
/// `ceil`, which this target does not link.
func ceiling(_ x: Double) -> Int {
    let adjusted = x - 1e-9
    guard adjusted > 0 else { return 0 }
    let whole = Int(adjusted)
    return Double(whole) < adjusted ? whole + 1 : whole
}

func log10(_ x: Double) -> Double { log2(x) * 0.301_029_995_663_981_2 }

func ln(_ x: Double) -> Double { log2(x) * 0.693_147_180_559_945_3 }
