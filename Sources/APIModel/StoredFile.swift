/// The answer to a successful `POST /v1/files`: the file's capability and its size.
public struct StoredFile: Codable, Sendable {
    public var cap: String
    public var size: UInt64

    public init(cap: String, size: UInt64) {
        self.cap = cap
        self.size = size
    }
}
