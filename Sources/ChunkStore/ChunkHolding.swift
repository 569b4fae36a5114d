/// Whether a store holds a chunk, and whether a lease still keeps it (docs/gc.md): the
/// answer to `hasChunks`, one byte per id on the wire.
public enum ChunkHolding: UInt8, Sendable, Equatable {
    /// Not stored here.
    case absent = 0
    /// Stored, but its last lease has ended: garbage waiting for the sweep, which repair
    /// neither counts as a replica nor copies from.
    case unleased = 1
    /// Stored under a lease that is still running (or one never recorded).
    case leased = 2

    public var isHeld: Bool { self != .absent }
}
