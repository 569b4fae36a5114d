import Codecs
import OpenSSLKit

extension ChunkStore {
    /// Why a chunk could not be read at the place its row gave.
    enum ReadFailure: Error {
        /// The segment file is gone (or was retired by compaction).
        case vanished
        /// The header does not match the row, the segment ends inside the record, or the
        /// bytes do not hash to the id; `bytes` is what was read.
        case damaged(bytes: [UInt8], problem: String)
    }

    /// The chunk's bytes, verified, read at `place` (looked up a moment ago) or, when a
    /// compaction has moved the chunk since, at its new place.
    func readFollowingMoves(_ id: StoredChunkID, from place: Placement) throws(ChunkStoreError) -> [UInt8] {
        var place = place
        while true {
            switch try read(id, at: place) {
            case .success(let bytes):
                return bytes
            case .failure(let failure):
                place = try writeSerial.withLock { _ throws(ChunkStoreError) -> Placement in
                    try resolveFailedRead(failure, of: id, at: place)
                }
            }
        }
    }

    /// The chunk's bytes at `place`, verified against the header and the id.
    func read(_ id: StoredChunkID, at place: Placement) throws(ChunkStoreError) -> Result<[UInt8], ReadFailure> {
        guard let file = try segments.file(place.segment) else { return .failure(.vanished) }
        let header = try file.read(at: place.offset, count: SegmentRecord.headerSize)
        let bytes = try file.read(at: place.offset + UInt64(SegmentRecord.headerSize), count: place.size)
        if header.flatMap(SegmentRecord.init(header:)) != SegmentRecord(id: id, length: place.size) {
            return .failure(.damaged(bytes: bytes ?? [], problem: "record header does not match the index"))
        }
        guard let bytes else { return .failure(.damaged(bytes: [], problem: "segment ends inside the record")) }
        let digest = SHA256.hash(bytes)
        guard digest == id.bytes else {
            return .failure(.damaged(bytes: bytes, problem: "read hashes to \(Hex.encode(digest))"))
        }
        return .success(bytes)
    }

    /// After a read at `place` failed; called under `writeSerial`, which every move and
    /// removal of a row holds. A chunk that compaction moved meanwhile is not missing: returns
    /// its new place to read again. A chunk still at `place` is: its row is dropped (file
    /// gone, `.notFound`) or its bytes quarantined (`.corrupt`), and that error thrown.
    func resolveFailedRead(
        _ failure: ReadFailure, of id: StoredChunkID, at place: Placement
    ) throws(ChunkStoreError) -> Placement {
        guard let current = try placement(of: id) else { throw ChunkStoreError(.notFound, chunk: id) }
        if current != place { return current }
        let path = segments.path(place.segment)
        switch failure {
        case .vanished:
            _ = try removeRow(id, at: place)
            logger.warning("segment file vanished; dropped the chunk's row", metadata: ["chunk": "\(id.hex)"])
            throw ChunkStoreError(.notFound, chunk: id, path: path)
        case .damaged(let bytes, let problem):
            try quarantine(id, at: place, bytes: bytes, detail: problem)
            throw ChunkStoreError(.corrupt, chunk: id, path: path, detail: "quarantined")
        }
    }
}
