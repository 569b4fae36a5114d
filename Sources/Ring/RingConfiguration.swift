/// Network-wide placement settings. Every peer must use the same values, or peers
/// compute different rings.
public struct RingConfiguration: Hashable, Sendable {
    /// Copies of each key (N). A ring with fewer placed peers stores one copy per peer.
    public var replicas: Int
    /// Virtual nodes (tokens) of a peer whose capacity equals the reference capacity.
    ///
    /// A peer's replica load has a coefficient of variation of about
    /// `1 / sqrt(replicas * tokensPerPeer)`; 1,024 keeps max/mean load under 1.10 at
    /// 1,000 peers (see docs/placement.md).
    public var tokensPerPeer: Int
    /// The capacity that earns `tokensPerPeer` tokens. `nil` uses the mean capacity of
    /// the placed members, which needs no agreement but slightly changes every peer's
    /// token count when a peer of unusual capacity joins; a fixed value (chosen when a
    /// network is created) makes each peer's tokens depend on its own capacity only.
    public var referenceCapacity: UInt64?
    /// Upper bound on one peer's tokens, as a multiple of `tokensPerPeer`, so that one
    /// peer announcing a huge capacity cannot blow up every peer's memory.
    public var maxTokenMultiple: Int

    public init(
        replicas: Int = 3,
        tokensPerPeer: Int = 1024,
        referenceCapacity: UInt64? = nil,
        maxTokenMultiple: Int = 16
    ) {
        precondition(replicas >= 1, "replicas must be at least 1")
        precondition(tokensPerPeer >= 1, "tokensPerPeer must be at least 1")
        precondition(maxTokenMultiple >= 1, "maxTokenMultiple must be at least 1")
        self.replicas = replicas
        self.tokensPerPeer = tokensPerPeer
        self.referenceCapacity = referenceCapacity
        self.maxTokenMultiple = maxTokenMultiple
    }

    /// The number of tokens a member of `capacity` gets: 0 for capacity 0, otherwise
    /// `round(tokensPerPeer * capacity / reference)` clamped to
    /// `1 ... tokensPerPeer * maxTokenMultiple`.
    func tokenCount(capacity: UInt64, reference: Double) -> Int {
        guard capacity > 0 else { return 0 }
        let ideal = Double(tokensPerPeer) * Double(capacity) / reference
        let upper = tokensPerPeer * maxTokenMultiple
        guard ideal.isFinite, ideal < Double(upper) else { return upper }
        // Round half up by hand: `rounded()` calls libm, which this target does not link.
        return max(1, Int(ideal + 0.5))
    }
}
