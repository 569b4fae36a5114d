#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One open segment file (`segments/<8 hex>.seg`): positional reads for any number of
/// threads, and appends, syncs and truncation for the one committer that writes it.
///
/// The descriptor never moves (`pread`/`pwrite` take the offset), so readers and the
/// committer share it without a lock.
final class SegmentFile: Sendable {
    let number: UInt32
    let path: String
    private let descriptor: Int32

    /// Opens an existing segment, or creates it when `create` is set (the caller then syncs
    /// the directory before anything written into it is acknowledged).
    init(number: UInt32, path: String, create: Bool) throws(ChunkStoreError) {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw FileSystem.error(create ? "create segment" : "open segment", path: path) }
        self.number = number
        self.path = path
        self.descriptor = descriptor
    }

    deinit { _ = close(descriptor) }

    /// The file's current length.
    func size() throws(ChunkStoreError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileSystem.error("fstat", path: path) }
        return UInt64(info.st_size)
    }

    /// Exactly `count` bytes at `offset`, or nil when the file ends first.
    func read(at offset: UInt64, count: Int) throws(ChunkStoreError) -> [UInt8]? {
        guard count > 0 else { return [] }
        var failure: ChunkStoreError?
        var short = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            while initialized < count {
                let got = pread(descriptor, base + initialized, count - initialized, off_t(offset) + off_t(initialized))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = FileSystem.error("pread", path: path)
                    break
                }
                if got == 0 {
                    short = true
                    break
                }
                initialized += got
            }
            // Whatever was not read is never looked at: the array is dropped below.
            if initialized < count { initialized = count }
        }
        if let failure { throw failure }
        return short ? nil : bytes
    }

    /// Writes all of `buffer` at `offset`, retrying short writes and `EINTR`.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(ChunkStoreError) {
        guard var next = buffer.baseAddress else { return }
        var remaining = buffer.count
        var position = off_t(offset)
        while remaining > 0 {
            let written = pwrite(descriptor, next, remaining, position)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystem.error("pwrite", path: path)
            }
            next += written
            remaining -= written
            position += off_t(written)
        }
    }

    /// Makes everything written so far durable (`fdatasync`: the data and the length).
    func sync() throws(ChunkStoreError) {
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw FileSystem.error("fdatasync", path: path)
        }
    }

    /// Cuts the file at `length` (a torn tail after a crash, a failed append) and syncs it.
    func truncate(to length: UInt64) throws(ChunkStoreError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw FileSystem.error("ftruncate", path: path) }
        try sync()
    }
}
