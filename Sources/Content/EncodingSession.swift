import OpenSSLKit

/// The state of one `FileEncoder` run: the content held back while it may still be
/// inlined, the chunker, the content hash, chunks in flight, and the manifest tree under
/// construction.
struct EncodingSession: ~Copyable {
    private let encoder: FileEncoder
    private var chunker: Chunker
    /// Fed with each data chunk's plaintext digest, in content order.
    private let contentHash = ContentHash()
    private var builder: ManifestTreeBuilder
    /// Chunks cut but not yet handed to a task, with their sequence numbers.
    private var cut: [ArraySlice<UInt8>] = []
    private var nextSequence = 0
    /// Finished chunks waiting for their predecessors, so entries reach the tree in order.
    private var finished: [Int: (entry: ManifestEntry, plaintextDigest: [UInt8])] = [:]
    private var nextToAdd = 0
    private var inFlight: [Task<(Int, ManifestEntry, [UInt8]), any Error>] = []
    private var size: UInt64 = 0
    /// The content so far while it may still be inlined in the root; nil once it has
    /// outgrown `encoder.inlineLimit` and gone to the chunker.
    private var held: [UInt8]? = []

    init(encoder: FileEncoder) {
        self.encoder = encoder
        chunker = Chunker(parameters: encoder.parameters)
        builder = ManifestTreeBuilder(fanout: encoder.manifestFanout)
    }

    mutating func append(_ bytes: [UInt8]) async throws {
        size += UInt64(bytes.count)
        if let count = held?.count {
            if count + bytes.count <= encoder.inlineLimit {
                held!.append(contentsOf: bytes)
                return
            }
            let first = held!
            held = nil
            if !first.isEmpty { try await chunk(first) }
        }
        try await chunk(bytes)
    }

    /// Cuts chunks from the next input block and starts storing them.
    private mutating func chunk(_ bytes: [UInt8]) async throws {
        var found: [ArraySlice<UInt8>] = []
        bytes.withUnsafeBytes { buffer in
            let base = buffer.baseAddress
            chunker.append(buffer) { _, chunk in
                // A chunk inside `bytes` is kept as a slice of it (no copy: the tasks share
                // the block's storage); one that straddled two blocks is copied out.
                if let base, let start = chunk.baseAddress, start >= base, start + chunk.count <= base + buffer.count {
                    let offset = start - base
                    found.append(bytes[offset..<offset + chunk.count])
                } else {
                    found.append(ArraySlice(chunk))
                }
            }
        }
        try await dispatch(found)
    }

    consuming func finish(kind: ContentKind) async throws -> EncodedFile {
        if let content = held, !content.isEmpty {
            let digest = ContentHash.ofSingleChunk(content)
            let root = FileManifestNode(root: .init(kind: kind, contentHash: digest), inlineContent: content)
            let rootEntry = try await encoder.storeNode(root)
            return EncodedFile(capability: Capability(root: rootEntry.reference), size: size, contentHash: digest, chunkCount: 0)
        }
        var found: [ArraySlice<UInt8>] = []
        chunker.finish { _, chunk in found.append(ArraySlice(chunk)) }
        try await dispatch(found)
        while !inFlight.isEmpty {
            try await collectOldest()
        }
        while let node = builder.closeLowestOpenLevel() {
            let entry = try await encoder.storeNode(node)
            try await push(entry, level: node.level + 1)
        }
        let digest = contentHash.finalize()
        let root = builder.root(kind: kind, contentHash: digest)
        let rootEntry = try await encoder.storeNode(root)
        return EncodedFile(
            capability: Capability(root: rootEntry.reference), size: size, contentHash: digest, chunkCount: nextSequence)
    }

    /// Starts a task per chunk, first waiting for the oldest when the window is full.
    private mutating func dispatch(_ chunks: [ArraySlice<UInt8>]) async throws {
        for plaintext in chunks {
            if inFlight.count >= encoder.maxChunksInFlight {
                try await collectOldest()
            }
            let sequence = nextSequence
            nextSequence += 1
            let cipher = encoder.cipher
            let sink = encoder.sink
            inFlight.append(Task {
                let sealed = plaintext.withUnsafeBytes { cipher.seal($0) }
                try await sink.store(id: sealed.reference.id, bytes: sealed.ciphertext)
                return (sequence, ManifestEntry(reference: sealed.reference, length: UInt64(plaintext.count)), sealed.plaintextDigest)
            })
        }
    }

    /// Waits for the oldest chunk task and adds every entry that is now in order.
    private mutating func collectOldest() async throws {
        let task = inFlight.removeFirst()
        let (sequence, entry, digest) = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        finished[sequence] = (entry, digest)
        while let next = finished.removeValue(forKey: nextToAdd) {
            nextToAdd += 1
            contentHash.add(chunkDigest: next.plaintextDigest)
            try await push(next.entry, level: 0)
        }
    }

    /// Adds an entry to the tree, storing every node that closes as a result.
    private mutating func push(_ entry: ManifestEntry, level: Int) async throws {
        var entry = entry
        var level = level
        while let closed = try builder.add(entry, level: level) {
            entry = try await encoder.storeNode(closed)
            level += 1
        }
    }

    deinit {
        for task in inFlight { task.cancel() }
    }
}
