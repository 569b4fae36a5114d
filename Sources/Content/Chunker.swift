/// One chunk of a stream found by `Chunker`.
public struct Chunk: Sendable, Hashable {
    /// Position of the first byte in the stream.
    public var offset: Int
    /// Number of bytes; never 0.
    public var length: Int
    /// FastCDC's gear hash at the cut point (fastcdc-rs `Chunk.hash`).
    public var gearHash: UInt64

    public init(offset: Int, length: Int, gearHash: UInt64) {
        self.offset = offset
        self.length = length
        self.gearHash = gearHash
    }
}

/// Splits a byte stream of any length into FastCDC chunks, holding at most about one
/// maximum-size chunk of input at a time.
///
/// Only chunks that straddle two `append` calls are copied (into the chunker's buffer);
/// every other chunk is handed over as a view of the caller's bytes.
///
/// Feed bytes with `append(_:chunk:)` in pieces of any size, then call `finish(chunk:)`.
/// Each chunk is handed to the callback with a view of its bytes, valid only during the call.
public struct Chunker: Sendable {
    /// The chunking parameters.
    public let parameters: FastCDC
    /// Bytes received but not yet emitted are `buffer[start...]`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of `buffer[start]`.
    private var offset = 0

    public init(parameters: FastCDC) {
        self.parameters = parameters
        buffer.reserveCapacity(parameters.maxSize)
    }

    /// Bytes received so far.
    public var bytesReceived: Int { offset + buffer.count - start }

    /// Adds bytes and reports every chunk that is now certain.
    public mutating func append(
        _ bytes: UnsafeRawBufferPointer, chunk body: (Chunk, UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        let maxSize = parameters.maxSize
        var input = bytes
        while !input.isEmpty {
            if start == buffer.count, input.count >= maxSize {
                // Nothing pending: cut straight from the caller's bytes, without copying.
                buffer.removeAll(keepingCapacity: true)
                start = 0
                let cut = parameters.cut(input)
                try body(Chunk(offset: offset, length: cut.length, gearHash: cut.gearHash),
                         UnsafeRawBufferPointer(rebasing: input[..<cut.length]))
                offset += cut.length
                input = UnsafeRawBufferPointer(rebasing: input[cut.length...])
                continue
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            let carried = buffer.count
            let take = min(input.count, maxSize - carried)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<take]))
            var consumed = take
            while buffer.count - start >= maxSize {
                try emitFromBuffer(body)
                if start >= carried {
                    // The chunk that straddled the earlier bytes is out and the rest of the
                    // buffer is a copy of `input`: go back to cutting from `input` itself.
                    consumed = start - carried
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                    break
                }
            }
            input = UnsafeRawBufferPointer(rebasing: input[consumed...])
        }
    }

    /// Ends the stream: reports the chunks of the remaining bytes.
    public mutating func finish(chunk body: (Chunk, UnsafeRawBufferPointer) throws -> Void) rethrows {
        while start < buffer.count {
            try emitFromBuffer(body)
        }
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    private mutating func emitFromBuffer(_ body: (Chunk, UnsafeRawBufferPointer) throws -> Void) rethrows {
        let chunkOffset = offset
        let parameters = parameters
        let start = start
        let length = try buffer.withUnsafeBytes { all in
            let pending = UnsafeRawBufferPointer(rebasing: all[start...])
            let cut = parameters.cut(pending)
            try body(Chunk(offset: chunkOffset, length: cut.length, gearHash: cut.gearHash),
                     UnsafeRawBufferPointer(rebasing: pending[..<cut.length]))
            return cut.length
        }
        self.start += length
        offset += length
    }
}
