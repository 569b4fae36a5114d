import ChunkStore
import Content
import Transport

/// What the owners of one repair page answered to `hasChunks`: per peer that answered,
/// how it holds each chunk it was asked about.
struct OwnerAnswers: Sendable {
    var byPeer: [NodeID: [ChunkID: ChunkHolding]] = [:]

    /// Whether `owner` holds each of `ids`, or nil when it was not asked (itself, or not
    /// usable) or did not answer.
    func held(_ ids: [ChunkID], by owner: PlacementPeer) -> [Bool]? {
        answers(ids, by: owner) { $0.isHeld }
    }

    /// Whether `owner` holds each of `ids` under a lease that still keeps it: whether its
    /// own walk pushes the chunk (it skips a copy whose last lease ended, garbage waiting
    /// for the sweep). Nil as for `held`.
    func leased(_ ids: [ChunkID], by owner: PlacementPeer) -> [Bool]? {
        answers(ids, by: owner) { $0 == .leased }
    }

    private func answers(_ ids: [ChunkID], by owner: PlacementPeer, _ test: (ChunkHolding) -> Bool) -> [Bool]? {
        guard let answers = byPeer[owner.nodeID] else { return nil }
        return ids.map { answers[$0].map(test) ?? false }
    }
}
