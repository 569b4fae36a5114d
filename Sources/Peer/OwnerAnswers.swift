import ChunkStore
import Content
import Transport

/// What the owners of one repair page answered to `hasChunks`: per peer that answered,
/// how it holds each chunk it was asked about.
struct OwnerAnswers: Sendable {
    var byPeer: [NodeID: [ChunkID: ChunkHolding]] = [:]

    /// Whether `owner` holds each of `ids` under a lease that still keeps it, or nil when it
    /// was not asked (itself, or not usable) or did not answer. A copy whose last lease has
    /// ended is not one: it waits for the sweep, its holder's walk skips it (so it would
    /// never push it), and the copy a lease still keeps elsewhere must reach that owner
    /// with its leases — a stray that missed its owner's release, left alone, was counted
    /// below N for a month (found by the history checker's settle).
    func held(_ ids: [ChunkID], by owner: PlacementPeer) -> [Bool]? {
        guard let answers = byPeer[owner.nodeID] else { return nil }
        return ids.map { answers[$0] == .leased }
    }
}
