/// What a ``ChunkStore/put(_:_:)`` did.
public enum PutOutcome: Sendable, Equatable {
    /// The chunk was new here; its size now counts against capacity.
    case stored
    /// The chunk was already stored; nothing was counted twice.
    case alreadyPresent
}
