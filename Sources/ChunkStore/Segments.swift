import Synchronization

/// The segment files under `segments/`: a cache of open files for readers, and the one being
/// appended to, which only the committer (or recovery, before the store is shared) moves.
///
/// A batch always goes into one segment; a new segment is started when the batch would take
/// the current one past `limit` (a batch larger than the limit gets a segment of its own).
/// Sealed segments are never written again: reclaiming the space of deleted chunks is a
/// compaction that copies the live records forward and unlinks the old file.
final class Segments: Sendable {
    let directory: String
    let limit: UInt64
    private let files = Mutex<[UInt32: SegmentFile]>([:])
    private let active = Mutex<(file: SegmentFile, size: UInt64)?>(nil)

    init(directory: String, limit: UInt64) {
        self.directory = directory
        self.limit = limit
    }

    func path(_ number: UInt32) -> String {
        directory + "/" + Self.name(number)
    }

    static func name(_ number: UInt32) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + ".seg"
    }

    /// The segment number a file name stands for, or nil when it is not a segment's name.
    static func number(ofName name: String) -> UInt32? {
        guard name.utf8.count == 12, name.hasSuffix(".seg"), let number = UInt32(name.prefix(8), radix: 16),
              Self.name(number) == name
        else { return nil }
        return number
    }

    /// The open segment `number`, or nil when its file does not exist.
    func file(_ number: UInt32) throws(ChunkStoreError) -> SegmentFile? {
        if let file = files.withLock({ $0[number] }) { return file }
        guard try FileSystem.identity(path(number)) != nil else { return nil }
        let file = try SegmentFile(number: number, path: path(number), create: false)
        return files.withLock { files in
            if let raced = files[number] { return raced }
            files[number] = file
            return file
        }
    }

    /// Makes segment `number`, whose length is `size`, the one new batches are appended to.
    func activate(_ number: UInt32, size: UInt64) throws(ChunkStoreError) {
        activate(try SegmentFile(number: number, path: path(number), create: false, forAppending: true), size: size)
    }

    private func activate(_ file: SegmentFile, size: UInt64) {
        files.withLock { $0[file.number] = file }
        active.withLock { $0 = (file, size) }
    }

    /// Where a batch of `bytes` goes: the active segment and the offset to write at, after
    /// starting a new segment (created, its directory entry synced) when needed.
    func appendTarget(for bytes: UInt64) throws(ChunkStoreError) -> (file: SegmentFile, offset: UInt64) {
        let current = active.withLock { $0 }
        if let current, current.size == 0 || current.size + bytes <= limit {
            return (current.file, current.size)
        }
        let number = (current?.file.number ?? highestNumber()).map { $0 + 1 } ?? 1
        let file = try SegmentFile(number: number, path: path(number), create: true, forAppending: true)
        try FileSystem.syncDirectory(directory)
        activate(file, size: 0)
        return (file, 0)
    }

    /// Records that the active segment now ends at `size` (after a durable append).
    func advance(to size: UInt64) {
        active.withLock { $0?.size = size }
    }

    /// After a failed append: cut what may have been written, and start a new segment next
    /// time if even that fails (a file whose sync failed is not trusted with more data).
    func abandonAppend(to size: UInt64) {
        let current = active.withLock { $0 }
        guard let current else { return }
        do {
            try current.file.truncate(to: size)
        } catch {
            active.withLock { $0 = nil }
        }
    }

    /// Numbers of the segment files present, ascending.
    func numbersOnDisk() throws(ChunkStoreError) -> [UInt32] {
        try FileSystem.list(directory).compactMap(Self.number(ofName:)).sorted()
    }

    private func highestNumber() -> UInt32? {
        files.withLock { $0.keys.max() }
    }
}
