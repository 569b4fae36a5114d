/// What re-reading a chunk found (``ChunkStore/verify(_:)``, the scrub step).
public enum ChunkVerification: Sendable, Equatable {
    /// Its bytes hash to its id.
    case intact
    /// They did not: the bytes are in `quarantine/` and the row is gone; fetch a replica.
    case corrupt
    /// It is not stored (any more): a sweep collected it, or repair moved it, since the
    /// caller listed it. Nothing to repair.
    case absent
}
