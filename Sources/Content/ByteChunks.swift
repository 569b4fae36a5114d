/// Bytes in memory as the one-buffer sequence the encoder reads.
public struct ByteChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        public mutating func next() async -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
