#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The committer's page-aligned buffer, into which a batch for direct I/O is assembled.
/// Kept between batches (it grows to the largest batch seen), so a batch costs a copy of
/// its chunks but no allocation or page faults. Used by one batch at a time.
final class StagingBuffer {
    private(set) var memory = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Makes room for at least `count` bytes; the contents are not kept.
    func reserve(_ count: Int) {
        guard count > memory.count else { return }
        free(memory.baseAddress)
        var pointer: UnsafeMutableRawPointer?
        let capacity = (count + SegmentRecord.alignment - 1) / SegmentRecord.alignment * SegmentRecord.alignment
        guard posix_memalign(&pointer, SegmentRecord.alignment, capacity) == 0, let pointer else {
            fatalError("out of memory for a \(capacity)-byte staging buffer")
        }
        memory = UnsafeMutableRawBufferPointer(start: pointer, count: capacity)
    }

    deinit { free(memory.baseAddress) }
}
