/// Where a stored chunk's bytes are: `length` bytes at `offset` in the segment file at `path`.
public struct ChunkLocation: Sendable, Equatable {
    public var path: String
    public var offset: UInt64
    public var length: Int
}
