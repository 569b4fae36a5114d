import CFileShims

/// Starts the disk on a file while it is still being written: after every `step` bytes it
/// asks the kernel to write them back without waiting (`sync_file_range`), so the `fsync`
/// that makes the file durable finds little left to write. A download that syncs its file
/// at the end otherwise waits for all of it there (up to 2 s for 1 GiB here); this way the
/// disk writes overlap with the network. Durability still comes from that `fsync` only.
package struct Writeback {
    package static let step: UInt64 = 32 << 20

    private var written: UInt64 = 0
    private var started: UInt64 = 0

    package init() {}

    /// Notes `count` more bytes written to `descriptor` at the end of what came before.
    package mutating func wrote(_ count: Int, to descriptor: Int32) {
        written += UInt64(count)
        guard written - started >= Self.step else { return }
        // Only a head start: a failure here shows again, and counts, at the fsync.
        _ = p2p_start_writeback(descriptor, Int64(started), Int64(written - started))
        started = written
    }
}
