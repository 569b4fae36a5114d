import Content
import Transport

/// What the owners of one repair page answered to `hasChunks`: per peer that answered,
/// whether it holds each chunk it was asked about.
struct OwnerAnswers: Sendable {
    var byPeer: [NodeID: [ChunkID: Bool]] = [:]

    /// Whether `owner` holds each of `ids`, or nil when it was not asked (itself, or not
    /// usable) or did not answer.
    func held(_ ids: [ChunkID], by owner: PlacementPeer) -> [Bool]? {
        guard let answers = byPeer[owner.nodeID] else { return nil }
        return ids.map { answers[$0] ?? false }
    }
}
