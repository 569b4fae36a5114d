/// The answer of `GET /v1/files/{cap}/chunks` (`p2p locate`): which peers hold each chunk.
public struct ChunkLocations: Codable, Sendable {
    public struct Chunk: Codable, Sendable {
        public var id: String
        /// NodeIDs of the peers that hold the chunk.
        public var holders: [String]

        public init(id: String, holders: [String]) {
            self.id = id
            self.holders = holders
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) {
        self.chunks = chunks
    }
}
