/// Where encoded chunks go: the local chunk store, or a coordinator that replicates them.
public protocol ChunkSink: Sendable {
    /// Stores ciphertext under its id. Storing an id that is already present is a no-op.
    /// Callers are this process's encoders, which computed `id` from these very bytes: a
    /// sink may store them without hashing them again (what it sends on, its receiver checks).
    func store(id: ChunkID, bytes: [UInt8]) async throws
}

/// Where chunks come from when reading. Callers verify what they get: a source may be a
/// remote peer and is not trusted.
public protocol ChunkSource: Sendable {
    /// The ciphertext stored under `id`; throws if the chunk cannot be found.
    func fetch(id: ChunkID) async throws -> [UInt8]
}
