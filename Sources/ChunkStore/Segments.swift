import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The segment files under `segments/`: a cache of open files for readers, and the one being
/// appended to, which only the committer (or compaction and recovery, under `writeSerial` or
/// before the store is shared) moves.
///
/// A batch always goes into one segment; a new segment is started when the batch would take
/// the current one past `limit` (a batch larger than the limit gets a segment of its own).
/// Sealed segments are never written again: compaction copies their live records forward and
/// retires them (`retire`), after which no reader opens them again. Numbers only grow and are
/// never reused, so a number names one file for the store's whole life.
final class Segments: Sendable {
    private struct Cache {
        var files: [UInt32: SegmentFile] = [:]
        /// Segments compaction removed (or is removing) in this process: never opened again.
        var retired: Set<UInt32> = []
        /// The highest number known to be used, on disk or in the index.
        var newest: UInt32 = 0
    }

    let directory: String
    let limit: UInt64
    private let cache = Mutex(Cache())
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

    /// The open segment `number`, or nil when its file does not exist or was retired.
    func file(_ number: UInt32) throws(ChunkStoreError) -> SegmentFile? {
        let (cached, retired) = cache.withLock { ($0.files[number], $0.retired.contains(number)) }
        if retired { return nil }
        if let cached { return cached }
        guard try FileSystem.identity(path(number)) != nil else { return nil }
        let file: SegmentFile
        do throws(ChunkStoreError) {
            file = try SegmentFile(number: number, path: path(number), create: false)
        } catch where error.errno == ENOENT {
            // Unlinked (retired) between the look and the open.
            return nil
        }
        return cache.withLock { cache in
            if cache.retired.contains(number) { return nil }
            if let raced = cache.files[number] { return raced }
            cache.files[number] = file
            cache.newest = max(cache.newest, number)
            return file
        }
    }

    /// Makes segment `number`, whose length is `size`, the one new batches are appended to.
    func activate(_ number: UInt32, size: UInt64) throws(ChunkStoreError) {
        activate(try SegmentFile(number: number, path: path(number), create: false, forAppending: true), size: size)
    }

    private func activate(_ file: SegmentFile, size: UInt64) {
        cache.withLock { cache in
            cache.files[file.number] = file
            cache.newest = max(cache.newest, file.number)
        }
        active.withLock { $0 = (file, size) }
    }

    /// The active segment's number and length, or nil before the first append.
    var activeSegment: (number: UInt32, size: UInt64)? {
        active.withLock { $0.map { ($0.file.number, $0.size) } }
    }

    /// The highest segment number in use: never a candidate for compaction, since the next
    /// append may go there.
    var newestNumber: UInt32 {
        cache.withLock { $0.newest }
    }

    /// Records that numbers up to `number` have been used (by files that may be gone now).
    func reserveNumbers(through number: UInt32) {
        cache.withLock { $0.newest = max($0.newest, number) }
    }

    /// Where a batch of `bytes` goes: the active segment and the offset to write at, after
    /// starting a new segment (created, its directory entry synced) when needed.
    func appendTarget(for bytes: UInt64) throws(ChunkStoreError) -> (file: SegmentFile, offset: UInt64) {
        let current = active.withLock { $0 }
        if let current, current.size == 0 || current.size + bytes <= limit {
            return (current.file, current.size)
        }
        return (try startNewSegment(), 0)
    }

    /// Seals the active segment: creates the next one (its directory entry synced) and makes
    /// it the one new batches go to.
    @discardableResult
    func startNewSegment() throws(ChunkStoreError) -> SegmentFile {
        let number = newestNumber + 1
        let file = try SegmentFile(number: number, path: path(number), create: true, forAppending: true)
        try FileSystem.syncDirectory(directory)
        activate(file, size: 0)
        return file
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

    /// Removes a sealed segment whose records all live elsewhere now: readers no longer open
    /// it (one holding it keeps reading its descriptor, closed when the last lets go), then
    /// the file is unlinked and the directory synced.
    func retire(_ number: UInt32) throws(ChunkStoreError) {
        precondition(number != activeSegment?.number, "retiring the active segment")
        cache.withLock { cache in
            cache.retired.insert(number)
            cache.files[number] = nil
        }
        try FileSystem.remove(path(number))
        try FileSystem.syncDirectory(directory)
    }

    /// Numbers of the segment files present, ascending.
    func numbersOnDisk() throws(ChunkStoreError) -> [UInt32] {
        try FileSystem.list(directory).compactMap(Self.number(ofName:)).sorted()
    }
}
